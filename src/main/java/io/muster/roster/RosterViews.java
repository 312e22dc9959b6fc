package io.muster.roster;

import io.muster.roster.domain.Roster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The roster as the API shows it. */
public final class RosterViews {
  private RosterViews() {
  }

  public static JsonObject staff(Roster roster) {
    JsonArray items = new JsonArray();
    roster.staff().forEach(s -> items.add(new JsonObject().put("id", s.id()).put("name", s.name())
        .put("phone", s.phone()).put("facilityId", s.facilityId()).put("roles", new JsonArray(s.roles().stream().sorted().toList()))));
    return new JsonObject().put("staff", items);
  }

  public static JsonObject facilities(Roster roster) {
    JsonArray items = new JsonArray();
    roster.facilities().forEach(f -> items.add(new JsonObject().put("id", f.id()).put("name", f.name())
        .put("type", f.type().id())));
    return new JsonObject().put("facilities", items);
  }
}
