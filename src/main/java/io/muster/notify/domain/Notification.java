package io.muster.notify.domain;

import java.time.Instant;

/** One SMS to one person about one incident, and what became of it. */
public record Notification(String id, String incidentId, String staffId, String staffName, String phone,
                           Kind kind, String body, boolean requiresAck, DeliveryStatus status,
                           String providerSid, Integer errorCode, int attempts, Instant createdAt,
                           Instant sentAt, Instant statusAt, Instant ackedAt, Instant firstClaimedAt,
                           String stepId, int level) {

  /**
   * Whether nobody knows yet if the message reached the phone: the provider took it (sent) at or
   * before {@code sentBy}, and no delivery receipt has come since.
   */
  public boolean deliveryUnknown(Instant sentBy) {
    return status == DeliveryStatus.SENT && statusAt != null && !statusAt.isAfter(sentBy);
  }

  /**
   * A page asks for action; a rollcall asks a question; a task message says a task is overdue; a
   * reminder asks for a status update; info answers a reply; an all-clear ends it; a voice call
   * reads an unanswered page aloud and takes "press 1".
   */
  public enum Kind {
    PAGE, ROLLCALL, TASK, REMINDER, INFO, ALL_CLEAR, VOICE;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Pages (and overdue tasks) go first, then questions and reminders, then information. */
    public int priority() {
      return switch (this) {
        case PAGE, TASK, VOICE -> 0;
        case ROLLCALL, REMINDER -> 1;
        case INFO, ALL_CLEAR -> 2;
      };
    }

    public static Kind of(String id) {
      for (Kind k : values()) {
        if (k.id().equals(id)) {
          return k;
        }
      }
      throw new IllegalArgumentException("kind: unknown notification kind '" + id + "'");
    }
  }
}
