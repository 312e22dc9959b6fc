package io.muster.app;

import io.muster.security.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Keeps a list answer to the caller's facilities (items carry {@code facilityId}, or are facilities). */
final class Scoping {
  private Scoping() {
  }

  static JsonObject items(JsonObject answer, String field, Principal p) {
    if (p.allFacilities()) {
      return answer;
    }
    JsonArray kept = new JsonArray();
    for (Object o : answer.getJsonArray(field)) {
      JsonObject item = (JsonObject) o;
      if (p.allows(item.getString("facilityId", item.getString("id")))) {
        kept.add(item);
      }
    }
    return answer.copy().put(field, kept);
  }
}
