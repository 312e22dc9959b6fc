package io.muster.live;

import io.muster.security.Principal;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event loop's share of the live stream: the clients that connected on it, each with its own
 * cursor. The hub hands every loop the same batches of events, in journal order and without gaps,
 * each event encoded once; a loop writes them to its clients on its own thread, so the fan-out runs
 * on every event loop at once and a socket is only ever written by the thread that owns it.
 *
 * <p>A new client catches up by reading the journal from its cursor; once it has reached what this
 * loop has been handed ({@link #position}) it goes live and gets the batches. Both happen on this
 * loop, and the batches come here in the order the hub saw them, so a live client misses nothing and
 * gets nothing twice.
 *
 * <p>The loop writes in passes: a pass takes every batch that has arrived (so a loop that fell
 * behind writes several events per client per pass), and the clients that are live when it starts,
 * and writes to {@value #SLICE} clients per task. Other tasks on the event loop (API requests'
 * replies) wait for one slice, not for a whole fan-out, and after {@value #BUSY_MS} ms of slices in a
 * row the next one waits for a timer, so that the loop reads its sockets (new requests) in between.
 * A client that goes live during a pass has read the journal past the pass's events (they were in
 * {@link #position}).
 * Everything here runs on the joining verticle's event loop; only the reads go to workers.
 */
public final class LiveLoop {
  private static final Logger LOG = LoggerFactory.getLogger(LiveLoop.class);
  /** Clients written to per task. */
  static final int SLICE = 100;
  /** Slices in a row for at most this long, then a timer lets the event loop do its I/O. */
  static final long BUSY_MS = 5;

  private final LiveHub hub;
  private final Context context;
  private final Set<Client> clients = new LinkedHashSet<>();
  /** The newest sequence handed to this loop: where the hub was when it joined, then each batch's last. */
  private long position;
  /** Batches handed over and not yet in a pass. */
  private final Deque<List<LiveEvent>> pending = new ArrayDeque<>();
  /** The pass under way: its events and the clients still to write to; null between passes. */
  private List<LiveEvent> passEvents;
  private List<Client> passClients;
  private int passNext;
  /** When the current run of back-to-back slices began. */
  private long busySince;

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
    boolean sees(LiveEvent event, Set<String> broadcast) {
      if (principal.allFacilities()) {
        return true;
      }
      if (event.facilityId() != null) {
        return principal.allows(event.facilityId());
      }
      return broadcast.contains(event.type());
    }
  }

  LiveLoop(LiveHub hub, Context context) {
    this.hub = hub;
    this.context = context;
  }

  Context context() {
    return context;
  }

  /** On this loop, before any batch: the hub's position when the loop joined. */
  void start(long at) {
    position = at;
  }

  /**
   * Takes a client that asked for the events after {@code since} (null: from now on), of its
   * facilities. Call it on this loop's event loop: the socket must belong to it.
   */
  public void attach(ServerWebSocket socket, Long since, Principal principal) {
    Client client = new Client(socket, principal);
    add(client);
    socket.closeHandler(v -> remove(client));
    socket.exceptionHandler(t -> remove(client));
    hub.snapshot(principal).onSuccess(snap -> {
      client.cursor = since != null ? since : snap.seq();
      send(client, snap.text());
      catchUp(client);
    }).onFailure(t -> close(client, "snapshot failed"));
  }

  private void catchUp(Client client) {
    if (!clients.contains(client)) {
      return;
    }
    hub.read(client.cursor).onSuccess(events -> {
      deliver(client, events);
      if (events.size() == LiveHub.PAGE || client.cursor < position) {
        catchUp(client);
      } else {
        client.live = true;
        // Events are filtered per user, so a client cannot tell from the events when it has caught up.
        send(client, new JsonObject().put("kind", "caught-up").put("seq", client.cursor).encode());
      }
    }).onFailure(t -> close(client, "catch-up failed"));
  }

  /** The next batch from the hub: it follows {@link #position} without a gap. */
  void advance(List<LiveEvent> events) {
    position = events.get(events.size() - 1).seq();
    pending.add(events);
    if (passEvents == null) {
      busySince = System.nanoTime();
      startPass();
    }
  }

  private void startPass() {
    List<LiveEvent> events = new ArrayList<>();
    for (List<LiveEvent> batch; (batch = pending.poll()) != null; ) {
      events.addAll(batch);
    }
    passEvents = events;
    passClients = clients.stream().filter(c -> c.live).toList();
    passNext = 0;
    writeSlice();
  }

  private void writeSlice() {
    int end = Math.min(passClients.size(), passNext + SLICE);
    for (; passNext < end; passNext++) {
      Client client = passClients.get(passNext);
      if (clients.contains(client)) {
        deliver(client, passEvents);
      }
    }
    if (passNext < passClients.size() || !pending.isEmpty()) {
      Runnable next = passNext < passClients.size() ? this::writeSlice : this::startPass;
      if (System.nanoTime() - busySince < BUSY_MS * 1_000_000) {
        context.runOnContext(v -> next.run());
      } else {
        context.owner().setTimer(1, id -> {
          busySince = System.nanoTime();
          next.run();
        });
      }
    } else {
      passEvents = null;
      passClients = null;
    }
  }

  /**
   * Tells live clients the stream is alive, and how far it is, when nothing else has been said. Not
   * while a pass is under way: events are being written, and a heartbeat must not claim a sequence
   * some clients have yet to get.
   */
  void heartbeat() {
    if (passEvents != null) {
      return;
    }
    String beat = new JsonObject().put("kind", "heartbeat").put("seq", position).encode();
    for (Client client : new ArrayList<>(clients)) {
      if (client.live) {
        send(client, beat);
      }
    }
  }

  private void deliver(Client client, List<LiveEvent> events) {
    for (LiveEvent event : events) {
      if (event.seq() > client.cursor) {
        if (client.sees(event, hub.broadcast()) && !send(client, event.text())) {
          return;
        }
        client.cursor = event.seq();
      }
    }
  }

  /** A client too slow to keep up is closed; it reconnects with {@code since} and misses nothing. */
  private boolean send(Client client, String text) {
    if (client.socket.isClosed()) {
      remove(client);
      return false;
    }
    if (client.socket.writeQueueFull()) {
      LOG.info("closing a websocket client that cannot keep up, at sequence {}", client.cursor);
      close(client, "too slow; reconnect with since=" + client.cursor);
      return false;
    }
    client.socket.writeTextMessage(text);
    return true;
  }

  private void close(Client client, String reason) {
    remove(client);
    if (!client.socket.isClosed()) {
      client.socket.close((short) 1011, reason);
    }
  }

  private void add(Client client) {
    if (clients.add(client)) {
      hub.watched(1);
    }
  }

  private void remove(Client client) {
    if (clients.remove(client)) {
      hub.watched(-1);
    }
  }
}
