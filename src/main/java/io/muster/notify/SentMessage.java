package io.muster.notify;

/** What the provider answered for an accepted message: its SID and its status (queued, sent…). */
public record SentMessage(String sid, String status) {
  public SentMessage {
    if (sid == null || sid.isBlank()) {
      throw new IllegalArgumentException("sid: must not be blank");
    }
  }
}
