package io.muster.notify.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class RepliesTest {

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"1", "ACK", "ack", " yes ", "Yes", "y", "Y", "ok", "OK", "\t1\n"})
  @DisplayName("a short yes, in any case and with surrounding spaces, acknowledges")
  void acks(String body) {
    assertThat(Replies.isAck(body)).isTrue();
  }

  @ParameterizedTest(name = "''{0}''")
  @NullSource
  @ValueSource(strings = {"2", "", "   ", "ACKNOWLEDGED?", "yes please", "no", "11", "1.", "on my way"})
  @DisplayName("anything else does not acknowledge")
  void notAcks(String body) {
    assertThat(Replies.isAck(body)).isFalse();
  }
}
