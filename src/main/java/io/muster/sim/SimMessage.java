package io.muster.sim;

import java.time.Instant;

/**
 * One message the simulator knows: sent through its API to a phone ({@link #OUTBOUND}), or a reply
 * a phone sent ({@link #INBOUND}). Immutable; a status change stores a new copy.
 *
 * @param from the sender; for a message sent through a Messaging Service, the number the phone sees
 * @param statusCallback the URL to report status changes to, or null
 * @param receivedNanos {@link System#nanoTime()} when the simulator accepted it (for latency figures)
 * @param errorCode Twilio's error code once the message {@code failed} or was {@code undelivered}, else null
 */
public record SimMessage(
    String sid,
    String accountSid,
    String direction,
    String from,
    String to,
    String messagingServiceSid,
    String body,
    String status,
    String statusCallback,
    int numSegments,
    Instant dateCreated,
    Instant dateUpdated,
    Instant dateSent,
    long receivedNanos,
    Integer errorCode) {

  public static final String OUTBOUND = "outbound-api";
  public static final String INBOUND = "inbound";

  /** A message without an error code (every message until a delivery fails). */
  public SimMessage(String sid, String accountSid, String direction, String from, String to, String messagingServiceSid,
      String body, String status, String statusCallback, int numSegments, Instant dateCreated, Instant dateUpdated,
      Instant dateSent, long receivedNanos) {
    this(sid, accountSid, direction, from, to, messagingServiceSid, body, status, statusCallback, numSegments,
        dateCreated, dateUpdated, dateSent, receivedNanos, null);
  }

  public boolean outbound() {
    return OUTBOUND.equals(direction);
  }

  SimMessage withStatus(String newStatus, Instant at) {
    return new SimMessage(sid, accountSid, direction, from, to, messagingServiceSid, body, newStatus,
        statusCallback, numSegments, dateCreated, at, dateSent, receivedNanos, errorCode);
  }

  SimMessage withFailure(String newStatus, int code, Instant at) {
    return new SimMessage(sid, accountSid, direction, from, to, messagingServiceSid, body, newStatus,
        statusCallback, numSegments, dateCreated, at, dateSent, receivedNanos, code);
  }

  /** Never print bodies or numbers by accident (records print every component by default). */
  @Override
  public String toString() {
    return "SimMessage[sid=" + sid + ", direction=" + direction + ", status=" + status
        + (errorCode == null ? "" : ", errorCode=" + errorCode) + "]";
  }
}
