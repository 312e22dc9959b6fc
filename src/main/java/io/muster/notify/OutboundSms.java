package io.muster.notify;

/** One SMS to send: E.164 recipient, text, and where the provider reports delivery status. */
public record OutboundSms(String to, String body, String statusCallbackUrl) {
  public OutboundSms {
    if (to == null || !to.matches("\\+[1-9][0-9]{6,14}")) {
      throw new IllegalArgumentException("to: must be an E.164 number");
    }
    if (body == null || body.isBlank()) {
      throw new IllegalArgumentException("body: must not be blank");
    }
  }
}
