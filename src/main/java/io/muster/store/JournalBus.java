package io.muster.store;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Publishes committed journal events on the event bus, to this node only, on {@link
 * #LOCAL_APPENDED} (local-only delivery to a local consumer: no message from another JVM can reach
 * it): that is how this node's live hub gets its own events at once. The live hub tells the other
 * nodes' hubs itself, on {@link #APPENDED}, and they read the journal. Nothing else listens for
 * events on the bus: features that react to another's events read the journal.
 *
 * <p>The bus may lose or reorder messages; readers that must not miss anything (the live hub, the
 * dispatcher) take a message only when it follows what they have, and otherwise read the journal,
 * which they also poll.
 */
public final class JournalBus {
  /** Cluster-wide: "the journal has events up to this sequence" (a hint; never shown as such). */
  public static final String APPENDED = "journal.evt.appended";
  /** This node only: the events this node just committed, in order. */
  public static final String LOCAL_APPENDED = "journal.local.appended";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private JournalBus() {
  }

  /** Tells this node of events it numbered ({@link Db#onNumbered}), in order. */
  public static void publish(EventBus bus, List<JournalEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    JsonArray all = new JsonArray();
    events.forEach(e -> all.add(toJson(e)));
    bus.publish(LOCAL_APPENDED, new JsonObject().put("events", all), LOCAL);
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
