package io.muster.notify.domain;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a message is on its way to a phone. Status only moves forward: a late "sent" callback
 * after "delivered" changes nothing, and the final states never change.
 */
public enum DeliveryStatus {
  QUEUED(0), SENDING(1), SENT(2), DELIVERED(3), UNDELIVERED(3), FAILED(3);

  private final int rank;

  DeliveryStatus(int rank) {
    this.rank = rank;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinal() {
    return rank == 3;
  }

  public boolean canMoveTo(DeliveryStatus next) {
    return !isFinal() && next.rank > rank;
  }

  public static DeliveryStatus of(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }

  /**
   * Twilio's message (and call) statuses mapped onto Muster's. Twilio's accepted/queued/scheduled mean it
   * has the message; sending and sent both mean it left for the carrier; read counts as delivered.
   */
  public static Optional<DeliveryStatus> fromTwilio(String status) {
    if (status == null) {
      return Optional.empty();
    }
    return switch (status.toLowerCase(Locale.ROOT)) {
      case "accepted", "queued", "scheduled", "sending", "sent", "initiated", "ringing", "in-progress"
          -> Optional.of(SENT);
      case "delivered", "read", "completed" -> Optional.of(DELIVERED);
      case "undelivered", "busy", "no-answer" -> Optional.of(UNDELIVERED);
      case "failed", "canceled" -> Optional.of(FAILED);
      default -> Optional.empty();
    };
  }
}
