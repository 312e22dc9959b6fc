package io.muster.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SMS circuit breaker under a clock the test moves by hand. */
class CircuitBreakerTest {
  private static final int THRESHOLD = 5;
  private static final Duration OPEN_FOR = Duration.ofSeconds(1);
  private static final int MAX = 50;

  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final CircuitBreaker breaker = new CircuitBreaker("node-a", clock, THRESHOLD, OPEN_FOR);

  @Test
  @DisplayName("closed: everything may be claimed, and fewer failures than the threshold change nothing")
  void closedBelowThreshold() {
    assertThat(breaker.allowance(MAX)).isEqualTo(MAX);
    for (int i = 1; i < THRESHOLD; i++) {
      assertThat(breaker.failed("503")).as("failure %d", i).isEmpty();
      assertThat(breaker.allowance(MAX)).isEqualTo(MAX);
    }
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.succeeded()).as("a success while closed is no transition").isEmpty();
  }

  @Test
  @DisplayName("only consecutive failures count: a success in between starts the count again")
  void successResetsTheCount() {
    failTimes(THRESHOLD - 1);
    assertThat(breaker.succeeded()).isEmpty();
    failTimes(THRESHOLD - 1);
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.allowance(MAX)).isEqualTo(MAX);
  }

  @Test
  @DisplayName("the threshold-th failure in a row opens it, once, with sms.degraded")
  void opensAfterThreshold() {
    failTimes(THRESHOLD - 1);
    Optional<CircuitBreaker.Transition> degraded = breaker.failed("HTTP 503 from Twilio");
    assertThat(degraded).isPresent();
    assertThat(degraded.get().type()).isEqualTo("sms.degraded");
    assertThat(degraded.get().payload()).containsEntry("node", "node-a");
    assertThat((String) degraded.get().payload().get("reason")).contains(String.valueOf(THRESHOLD))
        .contains("HTTP 503 from Twilio");
    assertThat(breaker.isOpen()).isTrue();
    assertThat(breaker.failed("again")).as("no second sms.degraded while open").isEmpty();
  }

  @Test
  @DisplayName("open: nothing may be claimed until the wait is over")
  void nothingWhileOpen() {
    open();
    assertThat(breaker.allowance(MAX)).isZero();
    clock.advance(OPEN_FOR.minusMillis(1));
    assertThat(breaker.allowance(MAX)).isZero();
    assertThat(breaker.allowance(1)).isZero();
  }

  @Test
  @DisplayName("after the wait exactly one probe goes, and nothing else while it is out")
  void oneProbeAfterTheWait() {
    open();
    clock.advance(OPEN_FOR);
    assertThat(breaker.allowance(MAX)).isEqualTo(1);
    assertThat(breaker.allowance(MAX)).as("a second caller while the probe is out").isZero();
    clock.advance(OPEN_FOR.dividedBy(2));
    assertThat(breaker.allowance(MAX)).as("still only the one probe while it may be on its way").isZero();
    clock.advance(OPEN_FOR);
    assertThat(breaker.allowance(MAX)).as("a probe that never came back is replaced, so the breaker cannot jam")
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a successful probe closes it with sms.recovered; everything may be claimed again")
  void successfulProbeCloses() {
    open();
    clock.advance(OPEN_FOR);
    assertThat(breaker.allowance(MAX)).isEqualTo(1);
    Optional<CircuitBreaker.Transition> recovered = breaker.succeeded();
    assertThat(recovered).isPresent();
    assertThat(recovered.get().type()).isEqualTo("sms.recovered");
    assertThat(recovered.get().payload()).containsEntry("node", "node-a");
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.allowance(MAX)).isEqualTo(MAX);
    assertThat(breaker.succeeded()).as("one sms.recovered only").isEmpty();
    failTimes(THRESHOLD - 1);
    assertThat(breaker.isOpen()).as("the count started again from zero").isFalse();
  }

  @Test
  @DisplayName("each failed probe doubles the wait, up to ten times the first")
  void failedProbeDoublesUpToTenTimes() {
    open();
    long[] expectedWaitsMs = {1_000, 2_000, 4_000, 8_000, 10_000, 10_000};
    for (int i = 0; i < expectedWaitsMs.length; i++) {
      long wait = expectedWaitsMs[i];
      clock.advance(Duration.ofMillis(wait - 1));
      assertThat(breaker.allowance(MAX)).as("wait %d: 1 ms before %d ms", i, wait).isZero();
      clock.advance(Duration.ofMillis(1));
      assertThat(breaker.allowance(MAX)).as("wait %d: at %d ms", i, wait).isEqualTo(1);
      assertThat(breaker.failed("still 503")).as("a failed probe is no new transition").isEmpty();
      assertThat(breaker.isOpen()).isTrue();
    }
  }

  @Test
  @DisplayName("after recovering, the next outage waits the first wait again, not the doubled one")
  void recoveryResetsTheWait() {
    open();
    for (int i = 0; i < 3; i++) {   // waits 1 s, 2 s, 4 s: the next would be 8 s
      clock.advance(Duration.ofSeconds(1L << i));
      assertThat(breaker.allowance(MAX)).isEqualTo(1);
      breaker.failed("503");
    }
    clock.advance(Duration.ofSeconds(8));
    assertThat(breaker.allowance(MAX)).isEqualTo(1);
    assertThat(breaker.succeeded()).map(CircuitBreaker.Transition::type).contains("sms.recovered");

    open();
    clock.advance(OPEN_FOR.minusMillis(1));
    assertThat(breaker.allowance(MAX)).isZero();
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.allowance(MAX)).isEqualTo(1);
  }

  private void open() {
    failTimes(THRESHOLD - 1);
    assertThat(breaker.failed("503").map(CircuitBreaker.Transition::type)).contains("sms.degraded");
  }

  private void failTimes(int n) {
    for (int i = 0; i < n; i++) {
      assertThat(breaker.failed("503")).isEmpty();
    }
  }

  /** A clock that only moves when told. */
  static final class ManualClock extends Clock {
    private Instant now;

    ManualClock(Instant start) {
      now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
