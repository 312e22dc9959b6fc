package io.muster.live;

import io.muster.store.AsyncDb;
import io.muster.store.Journal;
import io.muster.store.JournalBus;
import io.muster.store.JournalEvent;
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
 * client's {@code since}, in order, with no gap and no duplicate.
 *
 * <p>The journal is the only source. A new client catches up by reading the journal from its own
 * cursor; once it has reached the hub's position it goes live and receives the batches the hub
 * reads when woken (by the cluster-wide "appended" hint, or by its timer when a hint is lost).
 * Journal sequences become visible in order (see {@link Journal}), so "read after N" never skips.
 * Everything here runs on one event loop; only the reads go to workers.
 */
public final class LiveHub {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  private static final int PAGE = 500;

  private final Vertx vertx;
  private final AsyncDb db;
  private final Callable<JsonObject> snapshot;
  private final Set<Client> clients = new LinkedHashSet<>();
  private long position;
  private boolean reading;
  private boolean again;

  private static final class Client {
    final ServerWebSocket socket;
    long cursor;
    boolean live;

    Client(ServerWebSocket socket) {
      this.socket = socket;
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
    return db.tx(Journal::head).onSuccess(head -> position = head)
        .compose(head -> vertx.eventBus().consumer(JournalBus.APPENDED, m -> poke()).completion());
  }

  public int clients() {
    return clients.size();
  }

  /** Takes a client that asked for the events after {@code since} (null: from now on). */
  public void attach(ServerWebSocket socket, Long since) {
    Client client = new Client(socket);
    clients.add(client);
    socket.closeHandler(v -> clients.remove(client));
    socket.exceptionHandler(t -> clients.remove(client));
    db.run(snapshot).onSuccess(snap -> {
      client.cursor = since != null ? since : snap.getLong("seq");
      send(client, snap.put("kind", "snapshot"));
      catchUp(client);
    }).onFailure(t -> close(client, "snapshot failed"));
  }

  private void catchUp(Client client) {
    if (!clients.contains(client)) {
      return;
    }
    db.tx(c -> Journal.after(c, client.cursor, PAGE)).onSuccess(events -> {
      deliver(client, events);
      if (events.size() == PAGE || client.cursor < position) {
        catchUp(client);
      } else {
        client.live = true;
      }
    }).onFailure(t -> close(client, "catch-up failed"));
  }

  private void poke() {
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    again = false;
    db.tx(c -> Journal.after(c, position, PAGE)).onComplete(ar -> {
      reading = false;
      if (ar.succeeded() && !ar.result().isEmpty()) {
        List<JournalEvent> events = ar.result();
        position = events.get(events.size() - 1).seq();
        for (Client client : new ArrayList<>(clients)) {
          if (client.live) {
            deliver(client, events);
          }
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

  private void deliver(Client client, List<JournalEvent> events) {
    for (JournalEvent event : events) {
      if (event.seq() > client.cursor) {
        if (!send(client, JournalBus.toJson(event).put("kind", "event"))) {
          return;
        }
        client.cursor = event.seq();
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
