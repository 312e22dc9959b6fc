package io.muster.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.common.ManualClock;
import io.muster.notify.domain.NotifyEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SMS circuit breaker under a clock the test moves by hand. */
class CircuitBreakerTest {
  private static final int THRESHOLD = 5;
  private static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final int MAX = 50;
  private static final CircuitBreaker.Permit ALL = new CircuitBreaker.Permit(MAX, false);
  private static final CircuitBreaker.Permit NONE = new CircuitBreaker.Permit(0, false);
  private static final CircuitBreaker.Permit PROBE = new CircuitBreaker.Permit(1, true);

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker("node-a", clock, THRESHOLD, INTERVAL);

  @Test
  @DisplayName("closed: everything may be claimed, and fewer failures than the threshold change nothing")
  void closedBelowThreshold() {
    assertThat(breaker.permit(MAX)).isEqualTo(ALL);
    for (int i = 1; i < THRESHOLD; i++) {
      assertThat(breaker.failed("503", false)).as("failure %d", i).isEmpty();
      assertThat(breaker.permit(MAX)).isEqualTo(ALL);
    }
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.untilProbe()).isZero();
    assertThat(breaker.succeeded()).as("a success while closed is no transition").isEmpty();
  }

  @Test
  @DisplayName("only consecutive failures count: a success in between starts the count again")
  void successResetsTheCount() {
    failTimes(THRESHOLD - 1);
    assertThat(breaker.succeeded()).isEmpty();
    failTimes(THRESHOLD - 1);
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.permit(MAX)).isEqualTo(ALL);
  }

  @Test
  @DisplayName("the threshold-th failure in a row opens it, once, with sms.degraded")
  void opensAfterThreshold() {
    failTimes(THRESHOLD - 1);
    Optional<CircuitBreaker.Transition> degraded = breaker.failed("HTTP 503 from Twilio", false);
    assertThat(degraded).isPresent();
    NotifyEvent.Degraded event = (NotifyEvent.Degraded) degraded.get().event();
    assertThat(event.type()).isEqualTo("sms.degraded");
    assertThat(event.node()).isEqualTo("node-a");
    assertThat(event.reason()).contains(String.valueOf(THRESHOLD)).contains("HTTP 503 from Twilio");
    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.failed("again", false)).as("no second sms.degraded while open").isEmpty();
    assertThat(breaker.failed("again", true)).as("nor from a failed probe").isEmpty();
  }

  @Test
  @DisplayName("open: nothing may be claimed until one probe interval has passed")
  void nothingWhileOpen() {
    open();
    assertThat(breaker.permit(MAX)).isEqualTo(NONE);
    assertThat(breaker.untilProbe()).isEqualTo(INTERVAL);
    clock.advance(INTERVAL.minusMillis(1));
    assertThat(breaker.permit(MAX)).isEqualTo(NONE);
    assertThat(breaker.permit(1)).isEqualTo(NONE);
    assertThat(breaker.untilProbe()).isEqualTo(Duration.ofMillis(1));
  }

  @Test
  @DisplayName("after the interval exactly one probe goes; one that never comes back is replaced an interval later")
  void oneProbePerInterval() {
    open();
    clock.advance(INTERVAL);
    assertThat(breaker.permit(MAX)).isEqualTo(PROBE);
    assertThat(breaker.permit(MAX)).as("a second caller while the probe is out").isEqualTo(NONE);
    clock.advance(INTERVAL.minusMillis(1));
    assertThat(breaker.permit(MAX)).as("still only the one probe while it may be on its way").isEqualTo(NONE);
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.permit(MAX)).as("a probe that never came back is replaced, so the breaker cannot jam")
        .isEqualTo(PROBE);
  }

  @Test
  @DisplayName("a successful probe closes it with sms.recovered; everything may be claimed again")
  void successfulProbeCloses() {
    open();
    clock.advance(INTERVAL);
    assertThat(breaker.permit(MAX)).isEqualTo(PROBE);
    Optional<CircuitBreaker.Transition> recovered = breaker.succeeded();
    assertThat(recovered).isPresent();
    assertThat(recovered.get().event()).isEqualTo(new NotifyEvent.Recovered("node-a", "the SMS provider answers again"));
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.permit(MAX)).isEqualTo(ALL);
    assertThat(breaker.succeeded()).as("one sms.recovered only").isEmpty();
    failTimes(THRESHOLD - 1);
    assertThat(breaker.isOpen()).as("the count started again from zero").isFalse();
  }

  @Test
  @DisplayName("failures of sends already in flight when it opened do not push the probe back")
  void inFlightFailuresDoNotLengthen() {
    open();
    for (int i = 0; i < 40; i++) {   // one every 120 ms, up to 4.8 s after it opened
      clock.advance(Duration.ofMillis(120));
      assertThat(breaker.failed("503 of a send already on its way", false)).isEmpty();
    }
    clock.advance(INTERVAL.minus(Duration.ofMillis(4_800)));
    assertThat(breaker.permit(MAX)).as("the probe goes one interval after opening").isEqualTo(PROBE);
    assertThat(breaker.failed("an in-flight 503 while the probe is out", false)).isEmpty();
    assertThat(breaker.succeeded()).map(t -> t.event().type()).contains("sms.recovered");
  }

  @Test
  @DisplayName("a failed probe keeps it open for one more interval, counted from the failure, and no longer")
  void failedProbeAddsOneInterval() {
    open();
    clock.advance(INTERVAL);
    for (int round = 0; round < 6; round++) {
      assertThat(breaker.permit(MAX)).as("probe %d", round).isEqualTo(PROBE);
      clock.advance(Duration.ofMillis(300));   // the probe's answer takes 300 ms
      assertThat(breaker.failed("still 503", true)).as("a failed probe is no new transition").isEmpty();
      assertThat(breaker.isOpen()).isTrue();
      assertThat(breaker.untilProbe()).as("the wait does not grow with the number of failed probes")
          .isEqualTo(INTERVAL);
      clock.advance(INTERVAL.minusMillis(1));
      assertThat(breaker.permit(MAX)).isEqualTo(NONE);
      clock.advance(Duration.ofMillis(1));
    }
  }

  @ParameterizedTest(name = "provider back after {0} ms")
  @ValueSource(longs = {1, 4_999, 5_001, 17_300, 61_234, 299_999})
  @DisplayName("pages flow again within one probe interval of the provider's recovery, however long it was down")
  void recoveryWithinOneInterval(long downForMs) {
    Instant start = clock.instant();
    open();
    Instant back = start.plusMillis(downForMs);
    Instant firstSuccess = null;
    while (firstSuccess == null) {
      clock.advance(Duration.ofMillis(50));   // the dispatcher's timer granularity in this simulation
      boolean up = !clock.instant().isBefore(back);
      if (!up) {
        breaker.failed("503 of some send in flight", false);
      }
      CircuitBreaker.Permit permit = breaker.permit(MAX);
      if (permit.probe()) {
        if (up) {
          breaker.succeeded();
          firstSuccess = clock.instant();
        } else {
          breaker.failed("503", true);
        }
      }
    }
    assertThat(breaker.permit(MAX)).isEqualTo(ALL);
    assertThat(Duration.between(back, firstSuccess)).isLessThanOrEqualTo(INTERVAL);
  }

  @Test
  @DisplayName("a probe that never reached the provider (nothing due, opted out) lets another go at once")
  void unusedProbeIsReplacedAtOnce() {
    open();
    clock.advance(INTERVAL);
    assertThat(breaker.permit(MAX)).isEqualTo(PROBE);
    breaker.probeUnused();
    assertThat(breaker.permit(MAX)).isEqualTo(PROBE);
    assertThat(breaker.permit(MAX)).isEqualTo(NONE);
    breaker.probeUnused();
    breaker.probeUnused();
    assertThat(breaker.permit(MAX)).as("only the probe that was out can be given back").isEqualTo(PROBE);
  }

  @Test
  @DisplayName("after recovering, the next outage opens for one interval again")
  void reopens() {
    open();
    clock.advance(INTERVAL);
    assertThat(breaker.permit(MAX)).isEqualTo(PROBE);
    assertThat(breaker.succeeded()).map(t -> t.event().type()).contains("sms.recovered");

    open();
    clock.advance(INTERVAL.minusMillis(1));
    assertThat(breaker.permit(MAX)).isEqualTo(NONE);
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.permit(MAX)).isEqualTo(PROBE);
  }

  private void open() {
    failTimes(THRESHOLD - 1);
    assertThat(breaker.failed("503", false).map(t -> t.event().type())).contains("sms.degraded");
  }

  private void failTimes(int n) {
    for (int i = 0; i < n; i++) {
      assertThat(breaker.failed("503", false)).isEmpty();
    }
  }

}
