package io.muster.live;

import io.muster.security.Principal;
import io.muster.store.AsyncDb;
import io.muster.store.Journal;
import io.muster.store.JournalBus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>The clients themselves are served by {@link LiveLoop}s, one per event loop that serves the
 * stream ({@link #join}): the hub follows the journal on the event loop that started it, encodes
 * each event once, and hands every loop the same batches in order; each loop writes them to its own
 * clients. The journal reads (and the encoding of what they return) run on workers.
 */
public final class LiveHub {
  private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
  static final int PAGE = 500;
  private static final long HEARTBEAT_MS = 15_000;

  private final Vertx vertx;
  private final AsyncDb db;
  private final Callable<JsonObject> snapshot;
  /** Event types shown to every user (see {@link io.muster.common.Event.Broadcast}). */
  private final Set<String> broadcast;
  private final String nodeId;
  private final List<LiveLoop> loops = new CopyOnWriteArrayList<>();
  /** Clients on all loops, counted by the loops: with nobody watching, hints cost no reads. */
  private final AtomicInteger watching = new AtomicInteger();
  private final Announcements announcements = new Announcements(System::currentTimeMillis);
  /** The event loop that follows the journal (set by {@link #start}); the fields below are its alone. */
  private volatile Context home;
  private long position;
  private boolean reading;
  private boolean again;
  /** Journal reads started so far; an announcement is judged by a read that started after it came. */
  private long reads;

  /** The stream's first message to a client: the journal head it was read at, and its text for one principal. */
  record Snapshot(long seq, String text) { }

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

  /** Starts following the journal on the caller's event loop; its timers and consumers belong to the caller's verticle. */
  public Future<Void> start(long pollMs) {
    home = vertx.getOrCreateContext();
    vertx.setPeriodic(pollMs, id -> poke());
    vertx.setPeriodic(HEARTBEAT_MS, id -> loops.forEach(loop -> loop.context().runOnContext(v -> loop.heartbeat())));
    EventBus bus = vertx.eventBus();
    return db.tx(Journal::head).onSuccess(head -> position = head)
        .compose(head -> Future.all(
            bus.<JsonObject>localConsumer(JournalBus.LOCAL_APPENDED, m -> committedHere(m.body())).completion(),
            bus.consumer(JournalBus.APPENDED, m -> announced(m.body())).completion()))
        .mapEmpty();
  }

  /**
   * The caller's event loop serves live clients from now on (call it from a verticle's start, after
   * {@link #start}): its loop gets every batch after the hub's position at the time it joined.
   */
  public Future<LiveLoop> join() {
    if (home == null) {
      return Future.failedFuture(new IllegalStateException("the live hub has not started"));
    }
    Context here = vertx.getOrCreateContext();
    LiveLoop loop = new LiveLoop(this, here);
    Promise<LiveLoop> joined = Promise.promise();
    home.runOnContext(v -> {
      long at = position;
      loops.add(loop);
      // Queued on the loop before any batch the hub hands it from now on.
      here.runOnContext(w -> {
        loop.start(at);
        joined.complete(loop);
      });
    });
    return joined.future();
  }

  /** The loop no longer serves the stream (its verticle stops; its sockets close with its server). */
  public void leave(LiveLoop loop) {
    loops.remove(loop);
  }

  public int clients() {
    return watching.get();
  }

  void watched(int change) {
    watching.addAndGet(change);
  }

  Set<String> broadcast() {
    return broadcast;
  }

  /** A snapshot for one principal, read and encoded on a worker. */
  Future<Snapshot> snapshot(Principal principal) {
    return db.run(() -> {
      JsonObject snap = snapshot.call();
      return new Snapshot(snap.getLong("seq"), scoped(snap, principal).put("kind", "snapshot").encode());
    });
  }

  private static JsonObject scoped(JsonObject snapshot, Principal principal) {
    return principal.allFacilities() ? snapshot
        : snapshot.copy().put("incidents", principal.visible(snapshot.getJsonArray("incidents")));
  }

  /**
   * Events this node just committed (from this JVM only). When they follow the hub's position they
   * go out at once; otherwise (another node's events or a late message came between) the hub reads
   * the journal, unless nobody is watching: then its timed read will do. The other nodes' hubs are
   * told how far the journal now goes.
   */
  private void committedHere(JsonObject message) {
    List<LiveEvent> events = message.getJsonArray("events").stream().map(e -> LiveEvent.of((JsonObject) e)).toList();
    if (events.isEmpty()) {
      return;
    }
    long last = events.get(events.size() - 1).seq();
    if (vertx.isClustered()) {
      vertx.eventBus().publish(JournalBus.APPENDED, new JsonObject().put("node", nodeId).put("seq", last));
    }
    if (!reading && events.get(0).seq() == position + 1) {
      advance(events);
    } else if (last > position && watching.get() > 0) {
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
    if (watching.get() > 0) {
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

  /** Hands the next events to every loop, in order: each loop's queue keeps the hub's order. */
  private void advance(List<LiveEvent> events) {
    position = events.get(events.size() - 1).seq();
    for (LiveLoop loop : loops) {
      loop.context().runOnContext(v -> loop.advance(events));
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
        List<LiveEvent> events = ar.result();
        if (events.get(events.size() - 1).seq() > position) {
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

  /** Up to a page of events after {@code after}, read and encoded on a worker. */
  Future<List<LiveEvent>> read(long after) {
    return db.run(() -> db.db().tx(c -> Journal.after(c, after, PAGE)).stream()
        .map(e -> LiveEvent.of(JournalBus.toJson(e))).toList());
  }
}
