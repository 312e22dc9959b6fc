package io.muster.notify.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The send budget's timeline of slots, with no clock but the numbers the test passes. */
class SendPaceTest {
  private static final long NOW = 1_700_000_000_000_000L;

  @Test
  @DisplayName("no budget: unpaced")
  void zeroIsUnpaced() {
    assertThat(SendPace.of(0, Duration.ofSeconds(30)).paced()).isFalse();
    assertThatThrownBy(() -> SendPace.of(-1, Duration.ofSeconds(30))).hasMessageContaining("messagesPerSecond");
  }

  @ParameterizedTest(name = "{0} messages per second")
  @ValueSource(ints = {1, 20, 50, 1000})
  @DisplayName("slots are 2.5% wider than the budget: no one-second window holds more than the budget even when"
      + " arrivals vary by 25 ms")
  void noWindowOverTheBudget(int perSecond) {
    SendPace pace = SendPace.of(perSecond, Duration.ofSeconds(30));
    Random random = new Random(perSecond);
    int count = perSecond * 20;
    long[] arrivals = new long[count];
    for (int i = 0; i < count; i++) {
      arrivals[i] = NOW + i * pace.slotMicros() + random.nextInt(25_000);
    }
    java.util.Arrays.sort(arrivals);
    assertThat(worstWindow(arrivals)).isLessThanOrEqualTo(perSecond);
    assertThat(1_000_000.0 / pace.slotMicros() / perSecond).as("the rate as a share of the budget")
        .isGreaterThanOrEqualTo(0.97);
  }

  @Test
  @DisplayName("a lease of slots starts at the timeline's next free slot, or just ahead of now if that has passed")
  void firstSlot() {
    SendPace pace = SendPace.of(50, Duration.ofSeconds(30));
    assertThat(pace.first(NOW + 300_000, NOW)).isEqualTo(NOW + 300_000);
    assertThat(pace.first(NOW - 5_000_000, NOW)).isEqualTo(NOW + SendPace.LEAD_MICROS);
  }

  @Test
  @DisplayName("slots are leased no further ahead than a third of the claim's lease, across the cluster")
  void horizon() {
    SendPace pace = SendPace.of(20, Duration.ofSeconds(3));   // 51.25 ms apart, one second ahead
    assertThat(pace.horizonMicros()).isEqualTo(1_000_000);
    assertThat(pace.fits(NOW, NOW, 8)).isEqualTo(8);
    assertThat(pace.fits(NOW + 800_000, NOW, 8)).as("200 ms left: four slots start in it").isEqualTo(4);
    assertThat(pace.fits(NOW + 1_000_001, NOW, 8)).isZero();
    assertThat(pace.roomInMicros(NOW + 1_200_000, NOW)).isEqualTo(200_000);
    assertThat(pace.roomInMicros(NOW + 800_000, NOW)).isZero();
  }

  @Test
  @DisplayName("a send may start up to 10 ms after its slot, not later")
  void lateness() {
    SendPace pace = SendPace.of(50, Duration.ofSeconds(30));
    assertThat(pace.late(NOW, NOW + 10_000)).isFalse();
    assertThat(pace.late(NOW, NOW + 10_001)).isTrue();
  }

  private static int worstWindow(long[] micros) {
    int worst = 0;
    for (int start = 0, end = 0; end < micros.length; end++) {
      while (micros[end] - micros[start] >= 1_000_000) {
        start++;
      }
      worst = Math.max(worst, end - start + 1);
    }
    return worst;
  }
}
