package io.muster.notify.twilio;

import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.CallCreator;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.rest.api.v2010.account.MessageCreator;
import com.twilio.type.PhoneNumber;
import io.muster.notify.OutboundSms;
import io.muster.notify.ProviderStatus;
import io.muster.notify.SentMessage;
import io.muster.notify.SmsException;
import io.muster.notify.SmsGateway;
import io.muster.notify.VoiceGateway;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends SMS through Twilio's Messages API, and places voice calls through its Calls API, with the
 * official SDK, one HTTP request per call: the SDK's and Apache HttpClient's own retries are
 * switched off (see {@link OneAttemptHttpClient}), so the dispatcher alone decides whether and when
 * to try again, after looking the message or call up with {@link #findSent} or {@link #findCalls}
 * when the outcome is ambiguous.
 *
 * <p>Uses its own {@link TwilioRestClient}, never the static {@code Twilio.init} one, so several
 * gateways (tests, the simulator, production) can live in one JVM. Thread-safe. Every method blocks
 * on HTTP for up to the configured timeouts: call it from a worker thread, never an event loop.
 */
public final class TwilioSmsGateway implements SmsGateway, VoiceGateway, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TwilioSmsGateway.class);
  private static final long LOOKUP_PAGE_SIZE = 50;

  private final TwilioSettings settings;
  private final OneAttemptHttpClient http;
  private final TwilioRestClient client;

  public TwilioSmsGateway(TwilioSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = new OneAttemptHttpClient(settings.apiBaseUrl(), settings.connectTimeout(), settings.responseTimeout());
    this.client = new TwilioRestClient.Builder(settings.accountSid(), settings.authToken())
        .accountSid(settings.accountSid())
        .httpClient(http)
        .build();
  }

  @Override
  public SentMessage send(OutboundSms sms) {
    MessageCreator creator = creatorFor(sms);
    Message message = call("send", () -> creator.create(client));
    LOG.debug("Twilio accepted message {} with status {}", message.getSid(), message.getStatus());
    return sentMessage(message);
  }

  /**
   * Lists the messages to {@code to}, newest first, and returns the first created at or after
   * {@code since} whose body is exactly {@code body}. It filters on {@code date_created} itself
   * rather than asking for {@code DateSent>=}: Twilio leaves {@code date_sent} empty while a message
   * is still queued, and a queued message is exactly the one that must not be sent twice.
   */
  @Override
  public Optional<SentMessage> findSent(String to, String body, Instant since) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(since, "since");
    return call("findSent", () -> {
      Iterable<Message> messages = Message.reader()
          .setTo(new PhoneNumber(to))
          .setPageSize(LOOKUP_PAGE_SIZE)
          .read(client);
      Instant from = since.truncatedTo(ChronoUnit.SECONDS);
      for (Message message : messages) {
        if (message.getDateCreated() != null && message.getDateCreated().toInstant().isBefore(from)) {
          break;
        }
        if (body.equals(message.getBody())) {
          return Optional.of(sentMessage(message));
        }
      }
      return Optional.<SentMessage>empty();
    });
  }

  @Override
  public SentMessage call(String to, String text, String keyPressUrl, String statusCallbackUrl) {
    if (settings.sendsThroughMessagingService()) {
      throw new SmsException("voice calls need a From number (TWILIO_FROM), not a messaging service", 0, null,
          false, null);
    }
    PhoneNumber from = new PhoneNumber(settings.sender());
    CallCreator creator = Call.creator(new PhoneNumber(to), from, new com.twilio.type.Twiml(Twiml.page(text, keyPressUrl)));
    if (statusCallbackUrl != null) {
      creator.setStatusCallback(URI.create(statusCallbackUrl));
    }
    return sentCall(call("call", () -> creator.create(client)));
  }

  /**
   * Lists the calls from our number to {@code to} and keeps those created at or after {@code since},
   * oldest first. It filters on {@code date_created} itself rather than asking for
   * {@code StartTime>=}: Twilio leaves {@code start_time} empty until a call is dialled, and a call
   * still queued (behind the account's calls-per-second limit) is exactly the one that must not be
   * placed twice. Twilio lists newest first; the scan stops after a whole page of older calls in a
   * row, so a few calls out of order do not end it early.
   */
  @Override
  public List<SentMessage> findCalls(String to, Instant since) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(since, "since");
    if (settings.sendsThroughMessagingService()) {
      return List.of(); // no call can have been placed without a From number (see call)
    }
    Instant from = since.truncatedTo(ChronoUnit.SECONDS);
    return call("findCalls", () -> {
      Iterable<Call> calls = Call.reader()
          .setTo(new PhoneNumber(to))
          .setFrom(new PhoneNumber(settings.sender()))
          .setPageSize(LOOKUP_PAGE_SIZE)
          .read(client);
      List<Call> found = new ArrayList<>();
      int olderInARow = 0;
      for (Call call : calls) {
        if (call.getDateCreated() != null && call.getDateCreated().toInstant().isBefore(from)) {
          if (++olderInARow >= LOOKUP_PAGE_SIZE) {
            break;
          }
        } else {
          olderInARow = 0;
          found.add(call);
        }
      }
      // Oldest first. Twilio's dates are whole seconds: within one, its newest-first order decides.
      Collections.reverse(found);
      found.sort(Comparator.comparing(Call::getDateCreated, Comparator.nullsLast(Comparator.naturalOrder())));
      return found.stream().map(TwilioSmsGateway::sentCall).toList();
    });
  }

  @Override
  public ProviderStatus status(String sid) {
    Objects.requireNonNull(sid, "sid");
    Message message = call("status", () -> Message.fetcher(sid).fetch(client));
    return new ProviderStatus(String.valueOf(message.getStatus()), message.getErrorCode());
  }

  @Override
  public ProviderStatus callStatus(String sid) {
    Objects.requireNonNull(sid, "sid");
    Call call = call("callStatus", () -> Call.fetcher(sid).fetch(client));
    return new ProviderStatus(String.valueOf(call.getStatus()), null);
  }

  /**
   * Reads one page of the message list, and ignores the answer: the SDK's classes, its JSON
   * mapping and a pooled connection are then ready, so an incident's first page is not slowed by
   * a cold start (hundreds of milliseconds, long enough to bunch paced messages together).
   */
  public void warmUp() {
    try {
      Message.reader().setPageSize(1L).firstPage(client);
    } catch (RuntimeException e) {
      LOG.debug("SMS warm-up read failed (harmless): {}", e.toString());
    }
  }

  /** Releases the pooled connections. */
  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MessageCreator creatorFor(OutboundSms sms) {
    PhoneNumber to = new PhoneNumber(sms.to());
    MessageCreator creator = settings.sendsThroughMessagingService()
        ? Message.creator(to, settings.sender(), sms.body())
        : Message.creator(to, new PhoneNumber(settings.sender()), sms.body());
    if (sms.statusCallbackUrl() != null && !sms.statusCallbackUrl().isBlank()) {
      creator.setStatusCallback(URI.create(sms.statusCallbackUrl()));
    }
    return creator;
  }

  private static SentMessage sentCall(Call call) {
    return new SentMessage(call.getSid(), call.getStatus() == null ? null : call.getStatus().toString());
  }

  private static SentMessage sentMessage(Message message) {
    return new SentMessage(message.getSid(), message.getStatus() == null ? null : message.getStatus().toString());
  }

  private <T> T call(String operation, Supplier<T> request) {
    http.forgetLastStatus();
    try {
      return request.get();
    } catch (TwilioException e) {
      SmsException failure = translate(e, http.lastStatus());
      // Twilio's messages can quote phone numbers: only the codes at WARN.
      LOG.warn("Twilio {} failed: http status {}, Twilio code {}, ambiguous {}",
          operation, failure.httpStatus(), failure.errorCode(), failure.ambiguous());
      LOG.debug("Twilio {} failure detail", operation, e);
      throw failure;
    }
  }

  /**
   * An answer from Twilio is a plain failure (its status and error code); no answer is ambiguous
   * unless the connection was never made, in which case the request surely did not arrive.
   */
  static SmsException translate(TwilioException e, OptionalInt answeredStatus) {
    Integer code = e instanceof ApiException api ? api.getCode() : null;
    if (answeredStatus.isPresent()) {
      int status = answeredStatus.getAsInt();
      // A 2xx whose body could not be read: the message may well exist.
      boolean ambiguous = status >= 200 && status < 300;
      return new SmsException(message(e), status, code, ambiguous, e);
    }
    if (e instanceof ApiException api && api.getStatusCode() != null && !(e.getCause() instanceof IOException)) {
      return new SmsException(message(e), api.getStatusCode(), code, false, e);
    }
    return new SmsException(message(e), 0, null, !neverConnected(e), e);
  }

  private static boolean neverConnected(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException
          || t instanceof ConnectTimeoutException
          || t instanceof ConnectionRequestTimeoutException
          || t instanceof UnknownHostException
          || t instanceof NoRouteToHostException
          || t instanceof SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }

  private static String message(TwilioException e) {
    return "Twilio: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
  }
}
