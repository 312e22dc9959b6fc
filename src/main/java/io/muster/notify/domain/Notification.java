package io.muster.notify.domain;

import java.time.Instant;

/** One SMS to one person about one incident, and what became of it. */
public record Notification(String id, String incidentId, String staffId, String staffName, String phone,
                           Kind kind, String body, boolean requiresAck, DeliveryStatus status,
                           String providerSid, Integer errorCode, int attempts, Instant createdAt,
                           Instant sentAt, Instant statusAt, Instant ackedAt, Instant firstClaimedAt) {

  /** A page asks for action; an all-clear ends it. */
  public enum Kind {
    PAGE, ALL_CLEAR;

    public String id() {
      return this == PAGE ? "page" : "all-clear";
    }

    public static Kind of(String id) {
      return "page".equals(id) ? PAGE : ALL_CLEAR;
    }
  }
}
