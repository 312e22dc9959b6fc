package io.muster.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Who is asking: a signed-in user or a machine key, with a role and the facilities it may see
 * ({@code ["*"]}: all of them).
 */
public record Principal(String id, String name, Kind kind, Role role, List<String> facilities) {
  public static final String ALL = "*";

  public enum Kind { USER, KEY }

  public Principal {
    facilities = List.copyOf(facilities);
  }

  public boolean allFacilities() {
    return facilities.contains(ALL);
  }

  public boolean allows(String facilityId) {
    return allFacilities() || facilities.contains(facilityId);
  }

  /** The items (objects with a {@code facilityId}, or facilities with an {@code id}) this principal may see. */
  public JsonArray visible(JsonArray items) {
    if (allFacilities()) {
      return items;
    }
    JsonArray kept = new JsonArray();
    for (Object o : items) {
      JsonObject item = (JsonObject) o;
      if (allows(item.getString("facilityId", item.getString("id")))) {
        kept.add(item);
      }
    }
    return kept;
  }

  /** How this principal appears in the journal and the audit log. */
  public String actor() {
    return (kind == Kind.USER ? "user:" : "key:") + name;
  }

  /** The facilities as one header value: {@code *} or a comma-separated list. */
  public String scopeHeader() {
    return String.join(",", facilities);
  }

  public JsonObject toJson() {
    return new JsonObject().put("id", id).put("username", name).put("kind", kind.name().toLowerCase())
        .put("role", role.id()).put("facilities", new JsonArray(facilities));
  }

  public static Principal fromJson(JsonObject j) {
    return new Principal(j.getString("id"), j.getString("username"), Kind.valueOf(j.getString("kind").toUpperCase()),
        Role.of("role", j.getString("role")), j.getJsonArray("facilities").stream().map(String::valueOf).toList());
  }
}
