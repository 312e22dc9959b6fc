package io.muster.store;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Publishes committed journal events on the event bus, cluster-wide: each on its own address
 * ({@code incident.triggered} on {@code incident.evt.triggered}), then one "appended" hint with the
 * newest sequence. The bus may lose messages; readers that must not miss anything (the live hub,
 * the dispatcher) use the hint only to read the journal sooner, and poll it as well.
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
    bus.publish(APPENDED, new JsonObject().put("seq", events.get(events.size() - 1).seq()));
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
        .put("at", e.at().toString())
        .put("actor", e.actor())
        .put("payload", new JsonObject(e.payload()));
  }
}
