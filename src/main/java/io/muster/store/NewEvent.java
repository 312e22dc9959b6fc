package io.muster.store;

import io.muster.common.Event;

/** An event about to be appended; the journal gives it its sequence and time. */
public record NewEvent(Event event, String incidentId, String actor) {
  public NewEvent {
    if (event == null) {
      throw new IllegalArgumentException("event: must not be null");
    }
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("actor: must not be blank");
    }
  }

  public String type() {
    return event.type();
  }
}
