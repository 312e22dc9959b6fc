package io.muster.roster;

import io.muster.roster.domain.Roster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The roster as the API shows it. */
public final class RosterViews {
  private RosterViews() {
  }

  /** {@code phoneStates}: numbers that cannot take SMS now (opted-out, unreachable, filtered). */
  public static JsonObject staff(Roster roster, java.util.Map<String, String> phoneStates) {
    JsonArray items = new JsonArray();
    roster.staff().forEach(s -> items.add(new JsonObject().put("id", s.id()).put("name", s.name())
        .put("phone", s.phone()).put("facilityId", s.facilityId())
        .put("roles", new JsonArray(s.roles().stream().sorted().toList()))
        .put("shift", s.shift() == null ? null : s.shift().toString())
        .put("sms", phoneStates.getOrDefault(s.phone(), "ok"))));
    return new JsonObject().put("staff", items);
  }

  public static JsonObject facilities(Roster roster) {
    JsonArray items = new JsonArray();
    roster.facilities().forEach(f -> items.add(new JsonObject().put("id", f.id()).put("name", f.name())
        .put("type", f.type().id())));
    return new JsonObject().put("facilities", items);
  }
}
