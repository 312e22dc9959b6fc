package io.muster.notify.domain;

import static io.muster.notify.domain.DeliveryStatus.DELIVERED;
import static io.muster.notify.domain.DeliveryStatus.FAILED;
import static io.muster.notify.domain.DeliveryStatus.QUEUED;
import static io.muster.notify.domain.DeliveryStatus.SENDING;
import static io.muster.notify.domain.DeliveryStatus.SENT;
import static io.muster.notify.domain.DeliveryStatus.UNDELIVERED;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeliveryStatusTest {

  @Test
  @DisplayName("status moves forward: queued, sending, sent, then a final state")
  void forward() {
    assertThat(QUEUED.canMoveTo(SENDING)).isTrue();
    assertThat(QUEUED.canMoveTo(SENT)).isTrue();
    assertThat(SENDING.canMoveTo(SENT)).isTrue();
    assertThat(SENT.canMoveTo(DELIVERED)).isTrue();
    assertThat(SENT.canMoveTo(UNDELIVERED)).isTrue();
    assertThat(SENDING.canMoveTo(FAILED)).isTrue();
    assertThat(QUEUED.canMoveTo(FAILED)).isTrue();
  }

  @Test
  @DisplayName("a late 'sent' callback after 'delivered' is refused")
  void lateSent() {
    assertThat(DELIVERED.canMoveTo(SENT)).isFalse();
  }

  @Test
  @DisplayName("status never moves backwards or stays put")
  void noBackwards() {
    assertThat(SENT.canMoveTo(SENDING)).isFalse();
    assertThat(SENT.canMoveTo(QUEUED)).isFalse();
    assertThat(SENDING.canMoveTo(SENDING)).isFalse();
    assertThat(SENT.canMoveTo(SENT)).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"DELIVERED", "UNDELIVERED", "FAILED"})
  @DisplayName("a final state never moves to any state")
  void finalNeverMoves(DeliveryStatus last) {
    assertThat(last.isFinal()).isTrue();
    for (DeliveryStatus next : DeliveryStatus.values()) {
      assertThat(last.canMoveTo(next)).as("%s -> %s", last, next).isFalse();
    }
  }

  @Test
  @DisplayName("only delivered, undelivered and failed are final")
  void finals() {
    assertThat(EnumSet.allOf(DeliveryStatus.class)).filteredOn(DeliveryStatus::isFinal)
        .containsExactlyInAnyOrder(DELIVERED, UNDELIVERED, FAILED);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(DeliveryStatus.class)
  @DisplayName("each status is read back from its lowercase id")
  void ids(DeliveryStatus s) {
    assertThat(s.id()).isEqualTo(s.name().toLowerCase());
    assertThat(DeliveryStatus.of(s.id())).isSameAs(s);
  }

  @ParameterizedTest(name = "Twilio ''{0}'' -> {1}")
  @CsvSource({
      "accepted, SENT", "queued, SENT", "scheduled, SENT", "sending, SENT", "sent, SENT",
      "delivered, DELIVERED", "read, DELIVERED", "undelivered, UNDELIVERED",
      "failed, FAILED", "canceled, FAILED", "Delivered, DELIVERED", "FAILED, FAILED"})
  @DisplayName("Twilio statuses map onto Muster's")
  void fromTwilio(String twilio, DeliveryStatus expected) {
    assertThat(DeliveryStatus.fromTwilio(twilio)).contains(expected);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"receiving", "received", "partially_delivered", "", "bogus"})
  @DisplayName("an unknown Twilio status maps to nothing")
  void unknownTwilio(String twilio) {
    assertThat(DeliveryStatus.fromTwilio(twilio)).isEmpty();
  }

  @Test
  @DisplayName("a missing Twilio status maps to nothing")
  void nullTwilio() {
    assertThat(DeliveryStatus.fromTwilio(null)).isEmpty();
  }
}
