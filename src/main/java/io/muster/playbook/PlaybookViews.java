package io.muster.playbook;

import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Playbook;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;

/** Playbooks as the API shows them. */
public final class PlaybookViews {
  private PlaybookViews() {
  }

  public static JsonObject list(Collection<Playbook> playbooks) {
    JsonArray items = new JsonArray();
    playbooks.forEach(p -> items.add(of(p)));
    return new JsonObject().put("playbooks", items);
  }

  public static JsonObject of(Playbook p) {
    JsonArray steps = new JsonArray();
    for (PageStep step : p.steps()) {
      steps.add(new JsonObject().put("page", new JsonObject().put("roles", new JsonArray(step.roles()))
          .put("say", step.say().text()).put("ack", step.ack())));
    }
    return new JsonObject().put("id", p.id()).put("name", p.name()).put("severity", p.severity().id())
        .put("steps", steps).put("standDown", new JsonObject().put("say", p.standDown().text()));
  }
}
