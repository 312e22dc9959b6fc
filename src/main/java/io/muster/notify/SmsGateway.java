package io.muster.notify;

import java.time.Instant;
import java.util.Optional;

/**
 * The port through which Muster sends SMS. Implementations are blocking (they make HTTP calls):
 * callers run them on a worker thread, never on an event loop.
 */
public interface SmsGateway {

  /** Sends one message and returns what the provider recorded for it. */
  SentMessage send(OutboundSms sms) throws SmsException;

  /**
   * Looks for a message already accepted by the provider for {@code to} with exactly {@code body},
   * created at or after {@code since}. Used before resending a message whose earlier attempt may
   * have reached the provider (its sender died or timed out), so nobody is paged twice.
   */
  Optional<SentMessage> findSent(String to, String body, Instant since) throws SmsException;

  /**
   * What the provider says now of the message it accepted as {@code sid}: asked when no delivery
   * receipt came for it (see {@link Reconciler}).
   */
  ProviderStatus status(String sid) throws SmsException;
}
