package io.muster.notify;

import java.time.Instant;
import java.util.List;

/**
 * The port for voice calls: the fallback when a page goes unanswered. Blocking, like
 * {@link SmsGateway}.
 */
public interface VoiceGateway {

  /**
   * Places a call that reads {@code text} and asks the person to press 1, which the provider posts
   * to {@code keyPressUrl}; returns the provider's call SID and status.
   */
  SentMessage call(String to, String text, String keyPressUrl, String statusCallbackUrl) throws SmsException;

  /**
   * The calls the provider has from Muster's number to {@code to}, created at or after
   * {@code since}, oldest first. Used before placing again a call whose earlier attempt may have
   * reached the provider (its answer was lost, or its sender died), so nobody is called twice.
   */
  List<SentMessage> findCalls(String to, Instant since) throws SmsException;

  /** What the provider says now of the call it accepted as {@code sid} (see {@link Reconciler}). */
  ProviderStatus callStatus(String sid) throws SmsException;
}
