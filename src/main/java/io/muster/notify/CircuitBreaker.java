package io.muster.notify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Stops sending after {@code threshold} consecutive failures of the provider (5xx, throttling, no
 * answer) for {@code openFor}, then lets one message through as a probe: its success closes the
 * breaker, its failure opens it again for twice as long (at most ten times {@code openFor}).
 * Thread-safe. The transitions come back as events for coordinators.
 */
public final class CircuitBreaker {
  /** An event to journal: {@code sms.degraded} or {@code sms.recovered}. */
  public record Transition(String type, Map<String, Object> payload) { }

  private final String node;
  private final Clock clock;
  private final int threshold;
  private final Duration openFor;
  private int failures;
  private boolean open;
  private Instant openUntil = Instant.MIN;
  private Duration currentOpen;
  private boolean probing;
  private Instant probingSince = Instant.MIN;

  public CircuitBreaker(String node, Clock clock, int threshold, Duration openFor) {
    this.node = node;
    this.clock = clock;
    this.threshold = threshold;
    this.openFor = openFor;
    this.currentOpen = openFor;
  }

  /** How many messages may be claimed now: all when closed, one probe when the wait is over, else none. */
  public synchronized int allowance(int max) {
    if (!open) {
      return max;
    }
    Instant now = clock.instant();
    // A probe that never reached the provider (nothing was due, the person had opted out) is
    // given up after a wait, so that the breaker cannot stay shut for good.
    boolean probeLost = probing && probingSince.plus(currentOpen).isBefore(now);
    if ((probing && !probeLost) || now.isBefore(openUntil)) {
      return 0;
    }
    probing = true;
    probingSince = now;
    return 1;
  }

  public synchronized Optional<Transition> succeeded() {
    failures = 0;
    probing = false;
    if (!open) {
      return Optional.empty();
    }
    open = false;
    currentOpen = openFor;
    return Optional.of(new Transition("sms.recovered", payload("the SMS provider answers again")));
  }

  public synchronized Optional<Transition> failed(String reason) {
    failures++;
    if (open) {
      probing = false;
      currentOpen = currentOpen.multipliedBy(2).compareTo(openFor.multipliedBy(10)) > 0
          ? openFor.multipliedBy(10) : currentOpen.multipliedBy(2);
      openUntil = clock.instant().plus(currentOpen);
      return Optional.empty();
    }
    if (failures < threshold) {
      return Optional.empty();
    }
    open = true;
    openUntil = clock.instant().plus(currentOpen);
    return Optional.of(new Transition("sms.degraded", payload(failures + " sends failed in a row: " + reason)));
  }

  public synchronized boolean isOpen() {
    return open;
  }

  private Map<String, Object> payload(String reason) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("node", node);
    p.put("reason", reason);
    return p;
  }
}
