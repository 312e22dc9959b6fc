package io.muster.store;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Publishes committed journal events on the event bus, cluster-wide: each on its own address
 * ({@code incident.triggered} on {@code incident.evt.triggered}), then all of them together on
 * {@link #APPENDED}. The bus may lose or reorder messages; readers that must not miss anything (the
 * live hub, the dispatcher) take a message only when it follows what they have, and otherwise read
 * the journal, which they also poll.
 */
public final class JournalBus {
  public static final String APPENDED = "journal.evt.appended";

  private JournalBus() {
  }

  public static void publish(EventBus bus, List<JournalEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    for (JournalEvent event : events) {
      bus.publish(address(event.type()), toJson(event));
    }
    JsonArray all = new JsonArray();
    events.forEach(e -> all.add(toJson(e)));
    bus.publish(APPENDED, new JsonObject().put("events", all));
  }

  /** {@code notification.sent} is published on {@code notification.evt.sent}. */
  public static String address(String type) {
    int dot = type.indexOf('.');
    return type.substring(0, dot) + ".evt" + type.substring(dot);
  }

  public static JsonObject toJson(JournalEvent e) {
    return new JsonObject()
        .put("seq", e.seq())
        .put("type", e.type())
        .put("incidentId", e.incidentId())
        .put("facilityId", e.facilityId())
        .put("at", e.at().toString())
        .put("actor", e.actor())
        .put("payload", new JsonObject(e.payload()));
  }
}
