package io.muster.notify;

/**
 * The port for voice calls: the fallback when a page goes unanswered. Blocking, like
 * {@link SmsGateway}.
 */
public interface VoiceGateway {

  /** Places a call that plays {@code twiml}; returns the provider's call SID and status. */
  SentMessage call(String to, String twiml, String statusCallbackUrl) throws SmsException;
}
