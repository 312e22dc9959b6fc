package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The delays after wrong passwords in a row, and the per-node count for names that match no account. */
class LoginThrottleTest {
  private static final Instant T0 = Instant.parse("2026-03-01T08:00:00Z");

  @Test
  @DisplayName("the first four wrong passwords cost nothing")
  void firstFourFree() {
    for (int failures = 0; failures <= 4; failures++) {
      assertThat(LoginThrottle.lockAfter(failures)).as("after %d", failures).isEqualTo(Duration.ZERO);
    }
  }

  @Test
  @DisplayName("from the fifth on: 1, 2, 4, 8 … seconds")
  void doubling() {
    assertThat(LoginThrottle.lockAfter(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(LoginThrottle.lockAfter(6)).isEqualTo(Duration.ofSeconds(2));
    assertThat(LoginThrottle.lockAfter(7)).isEqualTo(Duration.ofSeconds(4));
    assertThat(LoginThrottle.lockAfter(8)).isEqualTo(Duration.ofSeconds(8));
    assertThat(LoginThrottle.lockAfter(14)).isEqualTo(Duration.ofSeconds(512));
  }

  @Test
  @DisplayName("capped at 15 minutes, however many wrong passwords (no overflow)")
  void capped() {
    assertThat(LoginThrottle.lockAfter(15)).isEqualTo(Duration.ofMinutes(15));
    assertThat(LoginThrottle.lockAfter(40)).isEqualTo(Duration.ofMinutes(15));
    assertThat(LoginThrottle.lockAfter(1_000)).isEqualTo(Duration.ofMinutes(15));
    assertThat(LoginThrottle.lockAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(15));
    for (int failures = 5; failures < 100; failures++) {
      assertThat(LoginThrottle.lockAfter(failures)).as("after %d", failures)
          .isGreaterThanOrEqualTo(LoginThrottle.lockAfter(failures - 1))
          .isLessThanOrEqualTo(Duration.ofMinutes(15));
    }
  }

  @Test
  @DisplayName("a name that matches no account: free for four wrong tries, then locked for 1 s, then 2 s")
  void unknownNames() {
    LoginThrottle throttle = new LoginThrottle();
    for (int i = 0; i < 4; i++) {
      throttle.failed("ghost", T0);
      assertThat(throttle.waitSeconds("ghost", T0)).isZero();
    }
    throttle.failed("ghost", T0);
    assertThat(throttle.waitSeconds("ghost", T0)).isBetween(1L, 2L);
    assertThat(throttle.waitSeconds("ghost", T0.plusMillis(999))).isEqualTo(1);
    assertThat(throttle.waitSeconds("ghost", T0.plusSeconds(1))).as("the lock has passed").isZero();

    Instant later = T0.plusSeconds(1);
    throttle.failed("ghost", later);
    assertThat(throttle.waitSeconds("ghost", later.plusMillis(1999))).isEqualTo(1);
    assertThat(throttle.waitSeconds("ghost", later.plusSeconds(2))).isZero();
    assertThat(throttle.waitSeconds("ghost", later)).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("each name is counted on its own")
  void perName() {
    LoginThrottle throttle = new LoginThrottle();
    for (int i = 0; i < 5; i++) {
      throttle.failed("ghost", T0);
    }
    assertThat(throttle.waitSeconds("ghost", T0)).isPositive();
    assertThat(throttle.waitSeconds("phantom", T0)).isZero();
    throttle.failed("phantom", T0);
    assertThat(throttle.waitSeconds("phantom", T0)).isZero();
  }
}
