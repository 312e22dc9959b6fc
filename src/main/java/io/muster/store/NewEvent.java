package io.muster.store;

import java.util.Map;

/** An event about to be appended; the journal gives it its sequence and time. */
public record NewEvent(String type, String incidentId, String actor, Map<String, Object> payload) {
  public NewEvent {
    if (type == null || !type.matches("[a-z]+\\.[a-z.-]+")) {
      throw new IllegalArgumentException("type: must be dotted lowercase, got " + type);
    }
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("actor: must not be blank");
    }
    payload = payload == null ? Map.of() : payload;
  }
}
