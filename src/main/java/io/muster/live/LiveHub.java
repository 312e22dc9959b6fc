package io.muster.live;

import io.muster.security.Principal;
import io.muster.store.AsyncDb;
import io.muster.store.Journal;
import io.muster.store.JournalBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
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
 * the events this node commits, at once, when they follow the hub's position (they come on a
 * local-only address, so nothing from another JVM can pose as them); else, and for every other
 * node's events, a read of the journal, which the hub's timer also does. Journal sequences become
 * visible in order (see {@link Journal}), so "read after N" never skips.
 *
 * <p>Nothing the hub receives from another node is shown: another node's hub only says, on
 * {@link JournalBus#APPENDED}, how far the journal goes, and this hub reads it. A message that
 * announces a sequence the journal does not have is ignored and logged, once a minute per sender:
 * it comes from a bug or from an untrusted member of the cluster.
 * Everything here runs on one event loop; only the reads go to workers.
 */
public final class LiveHub {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  private static final int PAGE = 500;
  private static final long HEARTBEAT_MS = 15_000;

  private final Vertx vertx;
  private final AsyncDb db;
  private final Callable<JsonObject> snapshot;
  /** Event types shown to every user (see {@link io.muster.common.Event.Broadcast}). */
  private final Set<String> broadcast;
  private final String nodeId;
  private final Set<Client> clients = new LinkedHashSet<>();
  private final Announcements announcements = new Announcements(System::currentTimeMillis);
  private long position;
  private boolean reading;
  private boolean again;
  /** Journal reads started so far; an announcement is judged by a read that started after it came. */
  private long reads;

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
     * only to those who see every facility, except the broadcast types (the SMS path's state), which
     * concern everyone.
     */
    boolean sees(JsonObject event, Set<String> broadcast) {
      if (principal.allFacilities()) {
        return true;
      }
      String facility = event.getString("facilityId");
      if (facility != null) {
        return principal.allows(facility);
      }
      return broadcast.contains(event.getString("type"));
    }
  }

  /**
   * {@code snapshot} must read the journal head first and the state after it (blocking);
   * {@code nodeId} names this node in what it tells the other nodes' hubs.
   */
  public LiveHub(Vertx vertx, AsyncDb db, Callable<JsonObject> snapshot, String nodeId, Set<String> broadcast) {
    this.vertx = vertx;
    this.broadcast = Set.copyOf(broadcast);
    this.db = db;
    this.snapshot = snapshot;
    this.nodeId = nodeId;
  }

  public Future<Void> start(long pollMs) {
    vertx.setPeriodic(pollMs, id -> poke());
    vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat());
    EventBus bus = vertx.eventBus();
    return db.tx(Journal::head).onSuccess(head -> position = head)
        .compose(head -> Future.all(
            bus.<JsonObject>localConsumer(JournalBus.LOCAL_APPENDED, m -> committedHere(m.body())).completion(),
            bus.consumer(JournalBus.APPENDED, m -> announced(m.body())).completion()))
        .mapEmpty();
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
   * Events this node just committed (from this JVM only). When they follow the hub's position they
   * go out at once; otherwise (another node's events or a late message came between) the hub reads
   * the journal, unless nobody is watching: then its timed read will do. The other nodes' hubs are
   * told how far the journal now goes.
   */
  private void committedHere(JsonObject message) {
    List<JsonObject> events = message.getJsonArray("events").stream()
        .map(e -> ((JsonObject) e).put("kind", "event")).toList();
    if (events.isEmpty()) {
      return;
    }
    long last = events.get(events.size() - 1).getLong("seq");
    if (vertx.isClustered()) {
      vertx.eventBus().publish(JournalBus.APPENDED, new JsonObject().put("node", nodeId).put("seq", last));
    }
    if (!reading && events.get(0).getLong("seq") == position + 1) {
      advance(events);
    } else if (last > position && !clients.isEmpty()) {
      poke();
    }
  }

  /**
   * Another node says the journal goes up to a sequence: a hint to read it, never an event to show.
   * Whatever the message carries besides the sequence is ignored, so a forged one shows nothing.
   */
  private void announced(Object body) {
    long seq = announcedSeq(body);
    String sender = body instanceof JsonObject o && o.getValue("node") instanceof String s ? printable(s) : "(unnamed)";
    if (seq < 0) {
      announcements.malformed(sender).ifPresent(LOG::warn);
      return;
    }
    if (nodeId.equals(sender) || seq <= position) {
      return;
    }
    announcements.heard(sender, seq, reads + 1);
    // With nobody watching, the next timed read will do: on a busy cluster, hints cost no reads.
    if (!clients.isEmpty()) {
      poke();
    }
  }

  /** The announced sequence: {@code seq}, or the newest of {@code events[].seq}; -1 when there is none. */
  private static long announcedSeq(Object body) {
    if (!(body instanceof JsonObject o)) {
      return -1;
    }
    if (o.getValue("seq") instanceof Number n) {
      return n.longValue();
    }
    if (o.getValue("events") instanceof io.vertx.core.json.JsonArray events) {
      return events.stream().filter(e -> e instanceof JsonObject j && j.getValue("seq") instanceof Number)
          .mapToLong(e -> ((JsonObject) e).getLong("seq")).max().orElse(-1);
    }
    return -1;
  }

  /** A sender's name as said in a message: short, one line, printable. */
  private static String printable(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
    return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
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
    long read = ++reads;
    read(position).onComplete(ar -> {
      reading = false;
      if (ar.succeeded() && !ar.result().isEmpty()) {
        List<JsonObject> events = ar.result();
        if (events.get(events.size() - 1).getLong("seq") > position) {
          advance(events);
        }
        again |= events.size() == PAGE;
      }
      if (ar.succeeded() && ar.result().size() < PAGE) {
        announcements.judge(read, position).ifPresent(LOG::warn);
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
        if (client.sees(event, broadcast) && !send(client, event)) {
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
