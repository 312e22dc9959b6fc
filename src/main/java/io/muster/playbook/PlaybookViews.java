package io.muster.playbook;

import io.muster.playbook.domain.Condition;
import io.muster.playbook.domain.Durations;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.ReadinessStep;
import io.muster.playbook.domain.RollcallStep;
import io.muster.playbook.domain.Step;
import io.muster.playbook.domain.TaskDef;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;

/** Playbooks as the API shows them. */
public final class PlaybookViews {
  private PlaybookViews() {
  }

  public static JsonObject list(Collection<Playbook> playbooks) {
    JsonArray items = new JsonArray();
    playbooks.forEach(p -> items.add(new JsonObject().put("id", p.id()).put("name", p.name())
        .put("severity", p.severity().id()).put("steps", p.steps().size()).put("tasks", p.tasks().size())));
    return new JsonObject().put("playbooks", items);
  }

  public static JsonObject of(Playbook p) {
    JsonArray steps = new JsonArray();
    p.steps().forEach(s -> steps.add(step(s)));
    JsonArray tasks = new JsonArray();
    for (TaskDef t : p.tasks()) {
      tasks.add(new JsonObject().put("id", t.id()).put("phase", t.phase().id()).put("owner", t.owner())
          .put("do", t.text().text()).put("due", Durations.format(t.due())).put("when", when(t.when())));
    }
    JsonObject positions = new JsonObject();
    p.positions().forEach((position, roles) -> positions.put(position, new JsonArray(roles)));
    JsonObject json = new JsonObject().put("id", p.id()).put("name", p.name()).put("severity", p.severity().id())
        .put("appliesTo", new JsonArray(p.appliesTo().stream().map(t -> t.id()).sorted().toList()))
        .put("positions", positions).put("steps", steps).put("tasks", tasks)
        .put("standDown", new JsonObject().put("say", p.standDown().text()));
    if (p.reminder() != null) {
      json.put("reminders", new JsonObject().put("to", new JsonArray(p.reminder().to()))
          .put("every", Durations.format(p.reminder().every())).put("say", p.reminder().say().text()));
    }
    return json;
  }

  private static JsonObject step(Step s) {
    JsonObject json = new JsonObject().put("id", s.id()).put("when", when(s.when()));
    if (s instanceof PageStep page) {
      JsonArray then = new JsonArray();
      page.ack().then().forEach(level -> then.add(new JsonArray(level)));
      json.put("page", new JsonObject().put("to", new JsonArray(page.to())).put("say", page.say().text())
          .put("ack", new JsonObject().put("required", page.ack().required()).put("repeat", page.ack().repeat())
              .put("every", Durations.format(page.ack().every())).put("then", then)));
    } else if (s instanceof RollcallStep r) {
      JsonObject answers = new JsonObject();
      r.answers().forEach((n, a) -> answers.put(String.valueOf(n), new JsonObject().put("say", a.label())
          .put("eta", Durations.format(a.eta()))));
      JsonArray widen = new JsonArray();
      r.widen().forEach(w -> widen.add(new JsonObject().put("after", Durations.format(w.after()))
          .put("to", new JsonArray(w.to()))));
      json.put("rollcall", new JsonObject().put("to", new JsonArray(r.to())).put("ask", r.ask().text())
          .put("answers", answers).put("need", r.need()).put("widen", widen));
    } else if (s instanceof ReadinessStep readiness) {
      json.put("readiness", new JsonObject(new java.util.LinkedHashMap<>(readiness.changes())));
    }
    return json;
  }

  private static JsonObject when(Condition c) {
    JsonObject json = new JsonObject();
    if (!c.severity().isEmpty()) {
      json.put("severity", new JsonArray(c.severity().stream().map(s -> s.id()).sorted().toList()));
    }
    if (c.drill() != null) {
      json.put("drill", c.drill());
    }
    if (!c.facility().isEmpty()) {
      json.put("facility", new JsonArray(c.facility().stream().map(f -> f.id()).sorted().toList()));
    }
    return json;
  }
}
