package io.muster.live;

import io.muster.security.Principal;
import io.muster.store.AsyncDb;
import io.muster.store.Journal;
import io.muster.store.JournalBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream behind {@code /ws/live}: a snapshot, then every journal event after the
 * client's {@code since} (of the client's facilities), in order, with no gap and no duplicate; a
 * {@code caught-up} message once the client has everything, and a {@code heartbeat} every 15 s.
 *
 * <p>The journal is the source of truth. A new client catches up by reading the journal from its
 * own cursor; once it has reached the hub's position it goes live and receives what the hub gets:
 * the events each commit publishes cluster-wide when they follow the hub's position, else (a
 * message lost or late) a read of the journal, which the hub's timer also does. Journal sequences
 * become visible in order (see {@link Journal}), so "read after N" never skips.
 * Everything here runs on one event loop; only the reads go to workers.
 */
public final class LiveHub {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  private static final int PAGE = 500;
  private static final long HEARTBEAT_MS = 15_000;

  private final Vertx vertx;
  private final AsyncDb db;
  private final Callable<JsonObject> snapshot;
  private final Set<Client> clients = new LinkedHashSet<>();
  private long position;
  private boolean reading;
  private boolean again;

  private static final class Client {
    final ServerWebSocket socket;
    final Principal principal;
    long cursor;
    boolean live;

    Client(ServerWebSocket socket, Principal principal) {
      this.socket = socket;
      this.principal = principal;
    }

    /**
     * Events of the client's facilities; events of no facility (replies from unknown numbers, opt-outs)
     * only to those who see every facility, except the SMS provider's state, which concerns everyone.
     */
    boolean sees(JsonObject event) {
      if (principal.allFacilities()) {
        return true;
      }
      String facility = event.getString("facilityId");
      if (facility != null) {
        return principal.allows(facility);
      }
      String type = event.getString("type");
      return "sms.degraded".equals(type) || "sms.recovered".equals(type);
    }
  }

  /** {@code snapshot} must read the journal head first and the state after it (blocking). */
  public LiveHub(Vertx vertx, AsyncDb db, Callable<JsonObject> snapshot) {
    this.vertx = vertx;
    this.db = db;
    this.snapshot = snapshot;
  }

  public Future<Void> start(long pollMs) {
    vertx.setPeriodic(pollMs, id -> poke());
    vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat());
    return db.tx(Journal::head).onSuccess(head -> position = head)
        .compose(head -> vertx.eventBus().<JsonObject>consumer(JournalBus.APPENDED, m -> appended(m.body()))
            .completion());
  }

  public int clients() {
    return clients.size();
  }

  /** Takes a client that asked for the events after {@code since} (null: from now on), of its facilities. */
  public void attach(ServerWebSocket socket, Long since, Principal principal) {
    Client client = new Client(socket, principal);
    clients.add(client);
    socket.closeHandler(v -> clients.remove(client));
    socket.exceptionHandler(t -> clients.remove(client));
    db.run(snapshot).onSuccess(snap -> {
      client.cursor = since != null ? since : snap.getLong("seq");
      send(client, scoped(snap, principal).put("kind", "snapshot"));
      catchUp(client);
    }).onFailure(t -> close(client, "snapshot failed"));
  }

  private static JsonObject scoped(JsonObject snapshot, Principal principal) {
    return principal.allFacilities() ? snapshot
        : snapshot.copy().put("incidents", principal.visible(snapshot.getJsonArray("incidents")));
  }

  private void catchUp(Client client) {
    if (!clients.contains(client)) {
      return;
    }
    read(client.cursor).onSuccess(events -> {
      deliver(client, events);
      if (events.size() == PAGE || client.cursor < position) {
        catchUp(client);
      } else {
        client.live = true;
        // Events are filtered per user, so a client cannot tell from the events when it has caught up.
        send(client, new JsonObject().put("kind", "caught-up").put("seq", client.cursor));
      }
    }).onFailure(t -> close(client, "catch-up failed"));
  }

  /**
   * Events just committed, from any node. When they follow the hub's position they go out at once;
   * otherwise (an earlier message is late or lost) the hub reads the journal instead.
   */
  private void appended(JsonObject message) {
    List<JsonObject> events = message.getJsonArray("events").stream()
        .map(e -> ((JsonObject) e).put("kind", "event")).toList();
    if (!reading && !events.isEmpty() && events.get(0).getLong("seq") == position + 1) {
      advance(events);
    } else if (events.isEmpty() || events.get(events.size() - 1).getLong("seq") > position) {
      poke();
    }
  }

  /** Tells live clients the stream is alive, and how far it is, when nothing else has been said. */
  private void heartbeat() {
    JsonObject beat = new JsonObject().put("kind", "heartbeat").put("seq", position);
    for (Client client : new ArrayList<>(clients)) {
      if (client.live) {
        send(client, beat);
      }
    }
  }

  private void advance(List<JsonObject> events) {
    position = events.get(events.size() - 1).getLong("seq");
    for (Client client : new ArrayList<>(clients)) {
      if (client.live) {
        deliver(client, events);
      }
    }
  }

  private void poke() {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    read(position).onComplete(ar -> {
      reading = false;
      if (ar.succeeded() && !ar.result().isEmpty()) {
        List<JsonObject> events = ar.result();
        if (events.get(events.size() - 1).getLong("seq") > position) {
          advance(events);
        }
        again |= events.size() == PAGE;
      } else if (ar.failed()) {
        LOG.warn("live stream could not read the journal: {}", ar.cause().toString());
      }
      if (again) {
        poke();
      }
    });
  }

  private Future<List<JsonObject>> read(long after) {
    return db.tx(c -> Journal.after(c, after, PAGE)).map(events -> events.stream()
        .map(e -> JournalBus.toJson(e).put("kind", "event")).toList());
  }

  private void deliver(Client client, List<JsonObject> events) {
    for (JsonObject event : events) {
      long seq = event.getLong("seq");
      if (seq > client.cursor) {
        if (client.sees(event) && !send(client, event)) {
          return;
        }
        client.cursor = seq;
      }
    }
  }

  /** A client too slow to keep up is closed; it reconnects with {@code since} and misses nothing. */
  private boolean send(Client client, JsonObject message) {
    if (client.socket.isClosed()) {
      clients.remove(client);
      return false;
    }
    if (client.socket.writeQueueFull()) {
      LOG.info("closing a websocket client that cannot keep up, at sequence {}", client.cursor);
      close(client, "too slow; reconnect with since=" + client.cursor);
      return false;
    }
    client.socket.writeTextMessage(message.encode());
    return true;
  }

  private void close(Client client, String reason) {
    clients.remove(client);
    if (!client.socket.isClosed()) {
      client.socket.close((short) 1011, reason);
    }
  }
}
