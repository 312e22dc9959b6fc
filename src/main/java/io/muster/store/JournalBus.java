package io.muster.store;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Publishes committed journal events on the event bus, to this node only (local-only delivery to a
 * local consumer: no message from another JVM can reach it): on {@link #LOCAL_APPENDED} once
 * numbered, which is how this node's live hub gets its own events at once; on {@link
 * #LOCAL_COMMITTED} right after the commit, which is how this node's dispatcher hears of its pages
 * without waiting for the numbering. The live hub tells the other nodes' hubs itself, on {@link
 * #APPENDED}, and they read the journal. Features that react to another's events read the journal.
 *
 * <p>The bus may lose or reorder messages; readers that must not miss anything (the live hub, the
 * dispatcher) take a message only as a hint or when it follows what they have, and otherwise read
 * the journal or the outbox, which they also poll.
 */
public final class JournalBus {
  /** Cluster-wide: "the journal has events up to this sequence" (a hint; never shown as such). */
  public static final String APPENDED = "journal.evt.appended";
  /** This node only: the events this node just committed, in order. */
  public static final String LOCAL_APPENDED = "journal.local.appended";
  /**
   * This node only: the events this node just committed, before they are numbered (sequence
   * {@link Journal#PROVISIONAL}), for the dispatcher ({@link Db#onCommitted}).
   */
  public static final String LOCAL_COMMITTED = "journal.local.committed";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private JournalBus() {
  }

  /** Tells this node of events it numbered ({@link Db#onNumbered}), in order. */
  public static void publish(EventBus bus, List<JournalEvent> events) {
    publish(bus, LOCAL_APPENDED, events);
  }

  /** Tells this node's dispatcher of events it committed ({@link Db#onCommitted}), not yet numbered. */
  public static void committed(EventBus bus, List<JournalEvent> events) {
    publish(bus, LOCAL_COMMITTED, events);
  }

  private static void publish(EventBus bus, String address, List<JournalEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    JsonArray all = new JsonArray();
    events.forEach(e -> all.add(toJson(e)));
    bus.publish(address, new JsonObject().put("events", all), LOCAL);
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
