package io.muster.notify;

import io.muster.notify.domain.Notification;
import io.muster.store.AsyncDb;
import io.muster.store.JournalEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the outbox holds. This node's own committed notifications reach it in memory
 * ({@link Handoff}): claimed already by the transaction that queued them, as far as it has room,
 * and sent at once; the others as hints, whose rows it claims by id at once. A timer makes it also
 * claim whatever is due in the outbox, which recovers what no hint told it of: another node's rows,
 * retries, rows whose sender died (once their lease ran out), hints lost or dropped. It claims rows
 * in batches with a lease, sends each through the {@link SmsGateway} on a worker when its slot of
 * the cluster-wide budget comes, and records the accepted ones in batches. Muster decides about retries here, with backoff and jitter; the gateway
 * never retries. When the provider keeps failing, a circuit breaker stops sending for a while
 * (coordinators see "SMS degraded") and probes until it recovers.
 */
public final class DispatcherVerticle extends VerticleBase implements Handoff.Receiver {
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherVerticle.class);
  private static final int BATCH = 100;
  private static final int MAX_ATTEMPTS = 8;
  private static final Duration LOOKBACK = Duration.ofMinutes(2);
  /** Hints beyond this many are dropped: the rows are in the outbox all the same, and the timer finds them. */
  private static final int MAX_HINTS = 100_000;
  /** At most this many accepted messages recorded in one transaction. */
  private static final int MAX_RECORD = 500;
  private static final Duration DRAIN_ON_STOP = Duration.ofSeconds(3);
  /** How long an accepted message may wait to be recorded with the next claim. */
  private static final Duration RECORD_LINGER = Duration.ofMillis(200);

  private final Outbox outbox;
  private final SmsGateway gateway;
  private final VoiceGateway voice;
  private final String voiceActionBase;
  private final AsyncDb db;
  private final String statusCallbackBase;
  private final long pollMs;
  private final int sendThreads;
  /**
   * Rows out at a time (claimed, not yet finished). Paced: one per sender thread, so that each
   * row's sender is ready when its slot comes. Unpaced: several per thread, so that the threads
   * never wait for the next claim, and a claim takes many rows in one transaction.
   */
  private final int capacity;
  /** Room for more rows out ({@link #capacity} less those claimed and not yet finished); taken by hand-offs too. */
  private final AtomicInteger free;
  private final Handoff handoff;
  private WorkerExecutor senders;
  private final CircuitBreaker breaker;
  private final Hints hints = new Hints(MAX_HINTS);
  private final List<Outbox.Accepted> toRecord = new ArrayList<>();
  private boolean pollDue = true;
  private boolean running;
  private boolean again;
  private boolean probeTimer;
  private boolean budgetTimer;
  private boolean recording;
  private boolean recordTimer;
  private long oldestToRecord;
  private volatile boolean stopping;

  /** What a send came to: events already recorded, and the provider's acceptance still to record (or null). */
  private record Delivery(List<JournalEvent> events, Outbox.Accepted accepted) {
    static Delivery recorded(List<JournalEvent> events) {
      return new Delivery(events, null);
    }
  }

  /** {@code handoff}: how this node's transactions hand it the pages they queue. */
  public DispatcherVerticle(Outbox outbox, Handoff handoff, SmsGateway gateway, VoiceGateway voice, AsyncDb db,
                            String publicBaseUrl, long pollMs, int sendThreads, String nodeId, int breakerOpenSeconds) {
    this.handoff = handoff;
    this.voice = voice;
    this.voiceActionBase = publicBaseUrl + "/webhooks/twilio/voice?n=";
    this.outbox = outbox;
    this.gateway = gateway;
    this.db = db;
    this.statusCallbackBase = publicBaseUrl + "/webhooks/twilio/status?n=";
    this.pollMs = pollMs;
    this.sendThreads = sendThreads;
    this.capacity = outbox.paced() ? sendThreads : sendThreads * 16;
    this.free = new AtomicInteger(capacity);
    this.breaker = new CircuitBreaker(nodeId, java.time.Clock.systemUTC(), 5, Duration.ofSeconds(breakerOpenSeconds));
  }

  @Override
  public Future<?> start() {
    senders = vertx.createSharedWorkerExecutor("muster-sms", sendThreads);
    vertx.setPeriodic(pollMs, id -> {
      pollDue = true;
      wake();
    });
    // What this node commits reaches its dispatcher at once, claimed already or as hints.
    handoff.attach(this);
    wake();
    return Future.succeededFuture();
  }

  @Override
  public int reserve(int wanted) {
    if (stopping || breaker.isOpen()) {
      return 0;
    }
    while (true) {
      int room = free.get();
      int taken = Math.min(room, wanted);
      if (taken <= 0 || free.compareAndSet(room, room - taken)) {
        return Math.max(taken, 0);
      }
    }
  }

  @Override
  public void release(int count) {
    free.addAndGet(count);
  }

  @Override
  public void committed(List<Outbox.Claim> claims, List<JournalEvent> events) {
    context.runOnContext(v -> {
      claims.forEach(claim -> send(claim, false));
      if (hints.add(events)) {
        wake();
      }
    });
  }

  /** Stops claiming; what was accepted and not yet recorded is recorded, if the database lets it in time. */
  @Override
  public Future<?> stop() {
    stopping = true;
    handoff.detach();
    Future<Void> closed = senders == null ? Future.succeededFuture() : senders.close();
    return closed.compose(v -> recorded(System.nanoTime() + DRAIN_ON_STOP.toNanos()));
  }

  private Future<Void> recorded(long deadline) {
    if ((toRecord.isEmpty() && !recording) || System.nanoTime() > deadline) {
      return Future.succeededFuture();
    }
    if (!recording) {
      record();
    }
    return vertx.timer(10).compose(v -> recorded(deadline));
  }

  private void wake() {
    if (stopping) {
      return;
    }
    if (running) {
      again = true;
      return;
    }
    running = true;
    cycle();
  }

  /**
   * Claims a batch, from the hints or, when the timer asks for it (or nothing is hinted), from
   * what is due in the outbox, and hands each row to a sender without waiting for the sends. At
   * most {@code capacity} rows are out at a time; a finished send wakes the dispatcher again once
   * half of that is free. While the breaker is open only its probe is claimed, and a timer wakes
   * the dispatcher when the next probe may go; while the budget's horizon is full, a timer wakes it
   * when there is room.
   */
  private void cycle() {
    again = false;
    CircuitBreaker.Permit permit = breaker.permit(BATCH);
    int room = Math.min(free.get(), permit.count());
    if (room <= 0) {
      unusedProbe(permit.probe());
      wakeForProbe();
      running = false;
      return;
    }
    boolean fromHints = !hints.isEmpty() && !pollDue;
    pollDue = false;
    List<Hints.Hint> taken = fromHints ? hints.take(room) : List.of();
    List<Outbox.Accepted> accepted = takeAccepted();
    Future<Outbox.Batch> claimed = fromHints
        ? db.run(() -> outbox.claimHinted(taken.stream().map(Hints.Hint::id).toList(), accepted))
        : db.run(() -> outbox.claimDue(room, accepted));
    claimed.onSuccess(batch -> {
          if (fromHints) {
            hints.giveBack(taken.subList(batch.considered(), taken.size()));   // held back by the budget
          }
          free.addAndGet(-batch.claims().size());
          batch.claims().forEach(claim -> send(claim, permit.probe()));
          if (batch.budgetRoomIn() != null) {
            wakeForBudget(batch.budgetRoomIn());
          }
        })
        .onFailure(t -> {
          hints.giveBack(taken);
          unusedProbe(permit.probe());
          LOG.warn("dispatch cycle failed: {}", t.toString());
          if (!accepted.isEmpty()) {
            toRecord.addAll(0, accepted);   // on their own, each alone if need be (see Outbox.sent)
            recordSoon(true);
          }
        })
        .onComplete(ar -> afterClaim(ar.succeeded() ? ar.result() : null, room, fromHints, permit.probe()));
  }

  /** {@code batch}: null if the claim failed. */
  private void afterClaim(Outbox.Batch batch, int room, boolean fromHints, boolean probe) {
    boolean budgetFull = batch != null && batch.budgetRoomIn() != null;
    boolean more = batch != null && !budgetFull && (fromHints ? !hints.isEmpty() : batch.claims().size() == room);
    if (batch != null && batch.claims().isEmpty() && probe && !more) {
      idleProbe().onComplete(done -> {
        running = false;
        if (again) {
          wake();
        }
      });
      return;
    }
    if (batch != null && batch.claims().isEmpty() && probe) {
      breaker.probeUnused();   // the hinted rows were claimed elsewhere: the probe goes with the next claim
    }
    if ((again || more) && !stopping) {
      cycle();
    } else {
      running = false;
      wakeForProbe();
    }
  }

  /**
   * The breaker's probe found nothing of this node's to send. If another node's message was
   * accepted after the SMS path was last reported degraded, the provider answers again: the breaker
   * closes (else this node, with nothing to send, would hold "SMS degraded" up for coordinators
   * forever). Otherwise the next poll or queued page probes again; nothing spins meanwhile.
   */
  private Future<Void> idleProbe() {
    return db.run(() -> {
      if (db.db().tx(SmsPath::acceptedSinceDegraded)) {
        return breaker.succeeded().map(t -> outbox.systemEvent(t.event())).orElse(List.of());
      }
      breaker.probeUnused();
      return List.<JournalEvent>of();
    }).onFailure(t -> {
          breaker.probeUnused();
          LOG.warn("idle probe failed: {}", t.toString());
        })
        .mapEmpty();
  }

  /** While the breaker is open, wakes up when its next probe may go rather than at the next poll. */
  private void wakeForProbe() {
    if (!breaker.isOpen() || probeTimer) {
      return;
    }
    probeTimer = true;
    vertx.setTimer(Math.max(1, breaker.untilProbe().toMillis()), id -> {
      probeTimer = false;
      wake();
    });
  }

  /** While the budget's horizon is full, wakes up when a claim may get slots again. */
  private void wakeForBudget(Duration in) {
    if (budgetTimer) {
      return;
    }
    budgetTimer = true;
    vertx.setTimer(Math.max(1, in.toMillis()), id -> {
      budgetTimer = false;
      wake();
    });
  }

  /** Sends a claim that room was taken for. */
  private void send(Outbox.Claim claim, boolean probe) {
    senders.executeBlocking(() -> deliver(claim, probe), false)
        .onSuccess(delivery -> {
          if (delivery.accepted() != null) {
            toRecord(delivery.accepted());
            recordSoon(toRecord.size() >= MAX_RECORD);
          }
        })
        .onFailure(t -> LOG.warn("notification {} not recorded: {}", claim.notification().id(), t.toString()))
        .onComplete(ar -> {
          if (free.incrementAndGet() >= capacity - capacity / 2 || probe) {
            wake();
          }
        });
  }

  /**
   * What the provider accepted is recorded with the next claim, in its transaction; or on its own
   * once the oldest of it has waited {@link #RECORD_LINGER} for a claim (the last sends of a
   * call-out). {@code now}: on its own at once.
   */
  private void recordSoon(boolean now) {
    if (toRecord.isEmpty() || recording) {
      return;   // a running record takes the rest when it ends
    }
    long waited = System.nanoTime() - oldestToRecord;
    if (now || waited >= RECORD_LINGER.toNanos()) {
      record();
    } else if (!recordTimer) {
      recordTimer = true;
      vertx.setTimer(Math.max(1, (RECORD_LINGER.toNanos() - waited) / 1_000_000), id -> {
        recordTimer = false;
        recordSoon(false);
      });
    }
  }

  private void toRecord(Outbox.Accepted accepted) {
    if (toRecord.isEmpty()) {
      oldestToRecord = System.nanoTime();
    }
    toRecord.add(accepted);
  }

  /** The accepted messages a claim records in its transaction (at most {@link #MAX_RECORD}). */
  private List<Outbox.Accepted> takeAccepted() {
    List<Outbox.Accepted> taken = new ArrayList<>(toRecord.subList(0, Math.min(MAX_RECORD, toRecord.size())));
    toRecord.subList(0, taken.size()).clear();
    oldestToRecord = System.nanoTime();   // near enough for what is left (at most the newest sends)
    return taken;
  }

  /**
   * Records what the provider accepted, a batch per transaction, one transaction at a time: what
   * is accepted meanwhile goes with the next. Until then the rows stay claimed; should this node
   * die first, whoever takes them over looks them up at the provider instead of sending them again.
   */
  private void record() {
    recording = true;
    List<Outbox.Accepted> batch = takeAccepted();
    db.run(() -> outbox.sent(batch))
        .onFailure(t -> LOG.warn("{} accepted messages not recorded: {}", batch.size(), t.toString()))
        .onComplete(ar -> {
          recording = false;
          recordSoon(stopping);
        });
  }

  /**
   * Blocking: one claimed row, looked up first if an earlier try may have reached the provider. A
   * lookup that fails leaves the row uncertain, so that it is looked up again, never sent blind.
   * {@code probe}: the row is the breaker's probe, whose outcome decides whether the breaker closes.
   */
  private Delivery deliver(Outbox.Claim claim, boolean probe) {
    Notification n = claim.notification();
    if (claim.optedOut()) {
      unusedProbe(probe);
      return Delivery.recorded(outbox.failed(n, DeliveryFailures.OPTED_OUT, "the person opted out (STOP); not sent"));
    }
    if (claim.uncertain()) {
      try {
        Optional<String> already = alreadyAccepted(n);
        if (already.isPresent()) {
          LOG.info("notification {} was already accepted as {}; not sent again", n.id(), already.get());
          unusedProbe(probe);
          return new Delivery(List.of(), new Outbox.Accepted(n, already.get()));
        }
      } catch (SmsException e) {
        // The lookup failed: the earlier attempt's outcome is as unknown as before.
        return Delivery.recorded(failedAttempt(n, e, true, probe));
      }
    }
    try {
      if (!outbox.awaitTurn(claim)) {
        LOG.warn("notification {} was taken over by another node before its turn; not sent here", n.id());
        unusedProbe(probe);
        return Delivery.recorded(List.of());
      }
      SentMessage sent = n.kind() == Notification.Kind.VOICE
          ? voice.call(n.phone(), n.body(), voiceActionBase + n.id(), statusCallbackBase + n.id())
          : gateway.send(new OutboundSms(n.phone(), n.body(), statusCallbackBase + n.id()));
      LOG.debug("notification {} sent as {}", n.id(), sent.sid());
      List<JournalEvent> events = new ArrayList<>();
      breaker.succeeded().ifPresent(e -> events.addAll(outbox.systemEvent(e.event())));
      return new Delivery(events, new Outbox.Accepted(n, sent.sid()));
    } catch (SmsException e) {
      return Delivery.recorded(failedAttempt(n, e, e.ambiguous(), probe));
    }
  }

  /** The probe did not reach the provider: the breaker may let another go at once. */
  private void unusedProbe(boolean probe) {
    if (probe) {
      breaker.probeUnused();
    }
  }

  /**
   * What the provider already accepted for this row. An SMS is matched by its recipient and exact
   * body. A call has nothing of the row to match on (Twilio does not list a call's TwiML or callback
   * URL), so it is the oldest call to that number from our number since the first attempt that no
   * other row has recorded: another page's call to the same person is never taken for this one.
   */
  private Optional<String> alreadyAccepted(Notification n) {
    Instant since = n.firstClaimedAt().minus(LOOKBACK);
    if (n.kind() == Notification.Kind.VOICE) {
      List<String> calls = voice.findCalls(n.phone(), since).stream().map(SentMessage::sid).toList();
      return outbox.unrecorded(n, calls);
    }
    return gateway.findSent(n.phone(), n.body(), since).map(SentMessage::sid);
  }

  /**
   * {@code uncertain}: the provider may have this message or call, so the next try looks first. A
   * definite answer from the provider (a 4xx refusal) says that it is up: a success for the breaker.
   * While the breaker is open a row waits for the breaker rather than for its own backoff, and its
   * tries are not used up: a page is not given up because the provider was down.
   */
  private List<JournalEvent> failedAttempt(Notification n, SmsException e, boolean uncertain, boolean probe) {
    List<JournalEvent> events = new ArrayList<>();
    Optional<CircuitBreaker.Transition> transition = e.retryable() || e.ambiguous()
        ? breaker.failed(e.getMessage(), probe) : breaker.succeeded();
    transition.ifPresent(ev -> events.addAll(outbox.systemEvent(ev.event())));
    boolean providerDown = breaker.isOpen();
    if (e.ambiguous() || (e.retryable() && (n.attempts() < MAX_ATTEMPTS || providerDown))) {
      Duration delay = providerDown ? Duration.ZERO : backoff(n.attempts());
      LOG.warn("notification {} attempt {} failed ({}); next try in {} ms", n.id(), n.attempts(), e.getMessage(),
          delay.toMillis());
      outbox.retryLater(n, delay, uncertain, e.errorCode());
    } else {
      LOG.warn("notification {} failed for good: {}", n.id(), e.getMessage());
      events.addAll(outbox.failed(n, e.errorCode(), e.getMessage()));
    }
    return events;
  }

  /** 1 s, 2 s, 4 s … up to a minute, with up to 50% jitter so that nodes do not retry in step. */
  static Duration backoff(int attempts) {
    long base = Math.min(60_000L, 1000L << Math.min(attempts - 1, 6));
    return Duration.ofMillis(base + ThreadLocalRandom.current().nextLong(base / 2 + 1));
  }
}
