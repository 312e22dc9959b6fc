package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong nanos = new AtomicLong();
  private final RateLimiter limiter = new RateLimiter(2, 3, nanos::get);

  @Test
  @DisplayName("a burst goes through, the next request waits, and the budget refills at the rate")
  void burstThenWait() {
    assertThat(limiter.take("alice")).isZero();
    assertThat(limiter.take("alice")).isZero();
    assertThat(limiter.take("alice")).isZero();
    assertThat(limiter.take("alice")).isEqualTo(1);
    nanos.addAndGet(500_000_000L);
    assertThat(limiter.take("alice")).isZero();
    assertThat(limiter.take("alice")).isEqualTo(1);
  }

  @Test
  @DisplayName("each caller has its own budget")
  void perKey() {
    for (int i = 0; i < 3; i++) {
      limiter.take("alice");
    }
    assertThat(limiter.take("alice")).isPositive();
    assertThat(limiter.take("bob")).isZero();
  }

  @Test
  @DisplayName("the wait says how many whole seconds until a request goes through")
  void retryAfter() {
    RateLimiter slow = new RateLimiter(0.1, 1, nanos::get);
    assertThat(slow.take("k")).isZero();
    assertThat(slow.take("k")).isEqualTo(10);
    nanos.addAndGet(10_000_000_000L);
    assertThat(slow.take("k")).isZero();
  }

  @Test
  @DisplayName("a sweep forgets callers whose budget is full again, and keeps the others")
  void sweep() {
    limiter.take("alice");
    for (int i = 0; i < 3; i++) {
      limiter.take("bob");
    }
    nanos.addAndGet(600_000_000L);
    limiter.sweep();
    // Bob's bucket is kept (1.2 of 3 tokens): he still cannot burst three.
    assertThat(limiter.take("bob")).isZero();
    assertThat(limiter.take("bob")).isPositive();
  }
}
