package io.muster.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Stops sending after {@code threshold} consecutive failures of the provider (5xx, throttling, no
 * answer), then lets one message through every {@code probeInterval} as a probe: its success closes
 * the breaker, its failure keeps it open for one more interval. Only a probe's failure does that:
 * sends that were already on their way when the breaker opened fail too, and must not push the next
 * probe back, or pages would wait long after the provider has recovered. So pages flow again within
 * one interval of the provider's recovery. Thread-safe. The transitions come back as events for
 * coordinators.
 */
public final class CircuitBreaker {
  /** An event to journal: {@code sms.degraded} or {@code sms.recovered}. */
  public record Transition(io.muster.notify.domain.NotifyEvent event) { }

  /** How many rows may be claimed now; {@code probe}: the one row allowed is the breaker's probe. */
  public record Permit(int count, boolean probe) { }

  private final String node;
  private final Clock clock;
  private final int threshold;
  private final Duration probeInterval;
  private int failures;
  private boolean open;
  private Instant nextProbe = Instant.MIN;
  private boolean probing;

  public CircuitBreaker(String node, Clock clock, int threshold, Duration probeInterval) {
    this.node = node;
    this.clock = clock;
    this.threshold = threshold;
    this.probeInterval = probeInterval;
  }

  /**
   * All of {@code max} when closed; one probe when open and its time has come; else none. A probe
   * that has not come back after an interval (its sender hangs) is replaced, so the breaker cannot jam.
   */
  public synchronized Permit permit(int max) {
    if (!open) {
      return new Permit(max, false);
    }
    Instant now = clock.instant();
    if (now.isBefore(nextProbe)) {
      return new Permit(0, false);
    }
    probing = true;
    nextProbe = now.plus(probeInterval);
    return new Permit(1, true);
  }

  /** How long until a probe may go (zero when closed or due). */
  public synchronized Duration untilProbe() {
    if (!open) {
      return Duration.ZERO;
    }
    Duration wait = Duration.between(clock.instant(), nextProbe);
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  /** The provider answered (a probe or any other send): closes the breaker. */
  public synchronized Optional<Transition> succeeded() {
    failures = 0;
    probing = false;
    if (!open) {
      return Optional.empty();
    }
    open = false;
    return Optional.of(new Transition(new io.muster.notify.domain.NotifyEvent.Recovered(node, "the SMS provider answers again")));
  }

  /**
   * The provider failed a send. {@code probe}: it was the breaker's probe, which keeps it open for
   * one more interval; any other failure while open changes nothing.
   */
  public synchronized Optional<Transition> failed(String reason, boolean probe) {
    if (open) {
      if (probe) {
        probing = false;
        nextProbe = clock.instant().plus(probeInterval);
      }
      return Optional.empty();
    }
    failures++;
    if (failures < threshold) {
      return Optional.empty();
    }
    open = true;
    probing = false;
    nextProbe = clock.instant().plus(probeInterval);
    return Optional.of(new Transition(new io.muster.notify.domain.NotifyEvent.Degraded(node, failures + " sends failed in a row: " + reason)));
  }

  /**
   * The probe never reached the provider (nothing was due, its person had opted out, it was found
   * already accepted): another may go at once.
   */
  public synchronized void probeUnused() {
    if (open && probing) {
      probing = false;
      nextProbe = clock.instant();
    }
  }

  public synchronized boolean isOpen() {
    return open;
  }

}
