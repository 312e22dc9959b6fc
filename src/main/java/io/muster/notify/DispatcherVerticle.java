package io.muster.notify;

import io.muster.notify.domain.Notification;
import io.muster.store.AsyncDb;
import io.muster.store.JournalBus;
import io.muster.store.JournalEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what the outbox holds. It wakes when rows are queued (a hint on the bus) and on a timer
 * (the hint may be lost, and rows whose sender died wait for their lease to expire), claims due
 * rows with a lease, sends each through the {@link SmsGateway} on a worker when the cluster-wide
 * pacer gives it its turn, and records the result. Muster decides about retries here, with backoff
 * and jitter; the gateway never retries. When the provider keeps failing, a circuit breaker stops
 * sending for a while (coordinators see "SMS degraded") and probes until it recovers.
 */
public final class DispatcherVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DispatcherVerticle.class);
  private static final int BATCH = 50;
  private static final int MAX_ATTEMPTS = 8;
  private static final Duration LOOKBACK = Duration.ofMinutes(2);

  private final Outbox outbox;
  private final SmsGateway gateway;
  private final VoiceGateway voice;
  private final String voiceActionBase;
  private final AsyncDb db;
  private final String statusCallbackBase;
  private final long pollMs;
  private final int sendThreads;
  private WorkerExecutor senders;
  private final int maxInFlight;
  private final CircuitBreaker breaker;
  private boolean running;
  private boolean again;
  private boolean probeTimer;
  private int inFlight;

  public DispatcherVerticle(Outbox outbox, SmsGateway gateway, VoiceGateway voice, AsyncDb db, String publicBaseUrl,
                            long pollMs, int sendThreads, String nodeId, int breakerOpenSeconds) {
    this.voice = voice;
    this.voiceActionBase = publicBaseUrl + "/webhooks/twilio/voice?n=";
    this.outbox = outbox;
    this.gateway = gateway;
    this.db = db;
    this.statusCallbackBase = publicBaseUrl + "/webhooks/twilio/status?n=";
    this.pollMs = pollMs;
    this.sendThreads = sendThreads;
    this.maxInFlight = sendThreads * 2;
    this.breaker = new CircuitBreaker(nodeId, java.time.Clock.systemUTC(), 5, Duration.ofSeconds(breakerOpenSeconds));
  }

  @Override
  public Future<?> start() {
    senders = vertx.createSharedWorkerExecutor("muster-sms", sendThreads);
    MessageConsumer<Object> queued = vertx.eventBus().consumer(NotifyAddresses.QUEUED, m -> wake());
    vertx.setPeriodic(pollMs, id -> wake());
    return queued.completion().onSuccess(v -> wake());
  }

  @Override
  public Future<?> stop() {
    return senders == null ? Future.succeededFuture() : senders.close();
  }

  private void wake() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    cycle();
  }

  /**
   * Claims what is due and hands each row to a sender without waiting for the sends: a page
   * queued while others are on their way is claimed at once. At most {@code maxInFlight} rows are
   * out at a time; a finished send wakes the dispatcher again. While the breaker is open only its
   * probe is claimed, and a timer wakes the dispatcher when the next probe may go.
   */
  private void cycle() {
    again = false;
    CircuitBreaker.Permit permit = breaker.permit(BATCH);
    int room = Math.min(maxInFlight - inFlight, permit.count());
    if (room <= 0) {
      unusedProbe(permit.probe());
      wakeForProbe();
      running = false;
      return;
    }
    int limit = outbox.perSecond(Math.min(BATCH, room));
    db.run(() -> outbox.claim(limit))
        .onSuccess(claims -> claims.forEach(claim -> send(claim, permit.probe())))
        .onFailure(t -> {
          unusedProbe(permit.probe());
          LOG.warn("dispatch cycle failed: {}", t.toString());
        })
        .onComplete(ar -> {
          boolean full = ar.succeeded() && ar.result().size() == limit;
          boolean idleProbe = ar.succeeded() && ar.result().isEmpty() && permit.probe();
          if (idleProbe) {
            idleProbe().onComplete(done -> {
              running = false;
              if (again) {
                wake();
              }
            });
          } else if (again || full) {
            cycle();
          } else {
            running = false;
            wakeForProbe();
          }
        });
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
    }).onSuccess(events -> JournalBus.publish(vertx.eventBus(), events))
        .onFailure(t -> {
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

  private void send(Outbox.Claim claim, boolean probe) {
    inFlight++;
    senders.executeBlocking(() -> deliver(claim, probe), false)
        .onSuccess(events -> JournalBus.publish(vertx.eventBus(), events))
        .onFailure(t -> LOG.warn("notification {} not recorded: {}", claim.notification().id(), t.toString()))
        .onComplete(ar -> {
          inFlight--;
          if (inFlight == maxInFlight - 1 || probe) {
            wake();
          }
        });
  }

  /**
   * Blocking: one claimed row, looked up first if an earlier try may have reached the provider. A
   * lookup that fails leaves the row uncertain, so that it is looked up again, never sent blind.
   * {@code probe}: the row is the breaker's probe, whose outcome decides whether the breaker closes.
   */
  private List<JournalEvent> deliver(Outbox.Claim claim, boolean probe) {
    Notification n = claim.notification();
    if (n.kind() != Notification.Kind.INFO && n.kind() != Notification.Kind.VOICE && outbox.optedOut(n.phone())) {
      unusedProbe(probe);
      return outbox.failed(n, DeliveryFailures.OPTED_OUT, "the person opted out (STOP); not sent");
    }
    if (claim.uncertain()) {
      try {
        Optional<String> already = alreadyAccepted(n);
        if (already.isPresent()) {
          LOG.info("notification {} was already accepted as {}; not sent again", n.id(), already.get());
          unusedProbe(probe);
          return outbox.sent(n, already.get());
        }
      } catch (SmsException e) {
        // The lookup failed: the earlier attempt's outcome is as unknown as before.
        return failedAttempt(n, e, true, probe);
      }
    }
    try {
      outbox.awaitTurn();
      if (!outbox.stillOurs(n)) {
        LOG.warn("notification {} was taken over by another node before its turn; not sent here", n.id());
        unusedProbe(probe);
        return List.of();
      }
      SentMessage sent = n.kind() == Notification.Kind.VOICE
          ? voice.call(n.phone(), n.body(), voiceActionBase + n.id(), statusCallbackBase + n.id())
          : gateway.send(new OutboundSms(n.phone(), n.body(), statusCallbackBase + n.id()));
      LOG.debug("notification {} sent as {}", n.id(), sent.sid());
      List<JournalEvent> events = new ArrayList<>(outbox.sent(n, sent.sid()));
      breaker.succeeded().ifPresent(e -> events.addAll(outbox.systemEvent(e.event())));
      return events;
    } catch (SmsException e) {
      return failedAttempt(n, e, e.ambiguous(), probe);
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
