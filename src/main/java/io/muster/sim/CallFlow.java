package io.muster.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated call from creation to its end, as Twilio runs it: on timers (never blocking the event
 * loop) it is initiated, rings and is answered; once answered its TwiML is fetched from its Url if it
 * has one; a call without a {@code <Gather>} then ends, one with a {@code <Gather>} waits for the
 * phone to press keys ({@link #press}) or hang up ({@link #hangUp}). A press is posted, signed, to
 * the Gather's action with {@code Digits}; if the action answers TwiML with another Gather the call
 * goes on with it, otherwise it ends.
 *
 * <p>Progress events go to the call's StatusCallback, signed, in order, for the events it asked for
 * ({@code StatusCallbackEvent}; Twilio's default is {@code completed} alone). Each step waits the
 * "sent" delay of {@link Faults#delays} (read when the step is scheduled).
 */
final class CallFlow {

  private static final Logger LOG = LoggerFactory.getLogger(CallFlow.class);
  private static final Pattern KEYS = Pattern.compile("[0-9*#]{1,32}");

  private final Vertx vertx;
  private final CallStore calls;
  private final Webhooks webhooks;
  private final Faults faults;
  private final Set<Long> timers = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> sequences = new ConcurrentHashMap<>();
  private volatile boolean stopped;

  CallFlow(Vertx vertx, CallStore calls, Webhooks webhooks, Faults faults) {
    this.vertx = vertx;
    this.calls = calls;
    this.webhooks = webhooks;
    this.faults = faults;
  }

  void start(SimCall call) {
    String sid = call.sid();
    later(() -> reportIfLive(sid, "initiated", "initiated")
        .onComplete(initiated -> later(() -> ring(sid)
            .onComplete(ringing -> later(() -> answer(sid))))));
  }

  void stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }

  /** Presses {@code keys} on the call; completes with the status the Gather's action answered. */
  Future<Integer> press(String sid, String keys) {
    if (keys == null || !KEYS.matcher(keys).matches()) {
      return refused(400, "bad_digits", "digits: 1 to 32 of 0-9, * and #", "digits");
    }
    Optional<SimCall> found = calls.get(sid);
    if (found.isEmpty()) {
      return refused(404, "not_found", "No call " + sid, "callSid");
    }
    SimCall call = found.get();
    if (!"in-progress".equals(call.status())) {
      return refused(409, "not_in_progress", "The call is " + call.status() + ": keys can be pressed once it is answered and until it ends", "callSid");
    }
    Optional<TwimlDocument.Gather> gather = call.document().flatMap(TwimlDocument::gather);
    if (gather.isEmpty()) {
      return refused(409, "no_gather", "The call's TwiML has no <Gather> waiting for keys", "callSid");
    }
    Optional<String> action = actionUrl(gather.get().action(), call.twimlUrl());
    if (action.isEmpty()) {
      return refused(409, "no_action", "The <Gather> has no absolute action URL (inline TwiML has no document URL to resolve one against)", "callSid");
    }
    String digits = gather.get().digits(keys);
    if (digits.isEmpty()) {
      return refused(400, "bad_digits", "digits: the keys give no digits before the finishOnKey", "digits");
    }
    Map<String, String> params = voiceParams(call, "in-progress");
    params.put("Digits", digits);
    params.put("FinishedOnKey", gather.get().finishedOnKey(keys));
    calls.update(sid, c -> c.withPressed(keys, Instant.now()));
    return webhooks.send(gather.get().method(), action.get(), params)
        .map(response -> {
          afterAction(sid, action.get(), response);
          return response.statusCode();
        })
        .recover(e -> {
          LOG.info("Gather action for call {} failed: {}", sid, e.toString());
          end(sid, "completed"); // Twilio plays its application error and hangs up
          return refused(502, "webhook_failed", "The Gather action could not be delivered: " + e.getMessage(), "action");
        });
  }

  /** The phone hangs up: an answered call is completed, one not yet answered ends as no-answer. */
  Future<SimCall> hangUp(String sid) {
    Optional<SimCall> found = calls.get(sid);
    if (found.isEmpty()) {
      return refused(404, "not_found", "No call " + sid, "callSid");
    }
    if (found.get().ended()) {
      return refused(409, "ended", "The call has already ended (" + found.get().status() + ")", "callSid");
    }
    String status = "in-progress".equals(found.get().status()) ? "completed" : "no-answer";
    return end(sid, status).map(v -> calls.get(sid).orElse(found.get()));
  }

  private Future<Void> ring(String sid) {
    return calls.updateIf(sid, c -> "queued".equals(c.status()), c -> c.withStatus("ringing", Instant.now()))
        .map(call -> report(call, "ringing", "ringing"))
        .orElse(Future.succeededFuture());
  }

  private void answer(String sid) {
    calls.updateIf(sid, c -> "ringing".equals(c.status()), c -> c.withStatus("in-progress", Instant.now()))
        .ifPresent(call -> report(call, "answered", "in-progress")
            .compose(v -> loadTwiml(call))
            .onComplete(v -> afterTwiml(sid)));
  }

  /** Fetches the TwiML from the call's Url, as Twilio does once the call is answered. */
  private Future<Void> loadTwiml(SimCall call) {
    if (call.url() == null) {
      return Future.succeededFuture();
    }
    return webhooks.send(call.method(), call.url(), voiceParams(call, "in-progress"))
        .map(response -> {
          if (response.statusCode() / 100 == 2 && response.body() != null) {
            calls.update(call.sid(), c -> c.withTwiml(response.bodyAsString(), call.url(), Instant.now()));
          } else {
            LOG.info("TwiML for call {} answered {}", call.sid(), response.statusCode());
          }
          return (Void) null;
        })
        .recover(e -> {
          LOG.info("TwiML for call {} could not be fetched: {}", call.sid(), e.toString());
          return Future.succeededFuture();
        });
  }

  /** A call whose TwiML waits for keys stays up; any other (no TwiML, unreadable, no Gather) ends. */
  private void afterTwiml(String sid) {
    calls.get(sid).filter(c -> !c.ended() && !c.awaitingKeys())
        .ifPresent(c -> later(() -> end(sid, "completed")));
  }

  /**
   * The action's answer is the call's next TwiML when it is TwiML (relative URLs in it resolve
   * against the action's); the call goes on if it gathers again, and ends otherwise.
   */
  private void afterAction(String sid, String actionUrl, HttpResponse<Buffer> response) {
    Optional<TwimlDocument> next = Optional.empty();
    if (response.statusCode() / 100 == 2 && response.body() != null && response.body().length() > 0) {
      String twiml = response.bodyAsString();
      next = TwimlDocument.parse(twiml);
      if (next.isPresent()) {
        calls.updateIf(sid, c -> !c.ended(), c -> c.withTwiml(twiml, actionUrl, Instant.now()));
      }
    }
    if (next.flatMap(TwimlDocument::gather).isEmpty()) {
      later(() -> end(sid, "completed"));
    }
  }

  private Future<Void> end(String sid, String status) {
    return calls.updateIf(sid, c -> !c.ended(), c -> c.withStatus(status, Instant.now()))
        .map(call -> report(call, "completed", status).onComplete(v -> sequences.remove(sid)))
        .orElse(Future.succeededFuture());
  }

  private Future<Void> reportIfLive(String sid, String event, String callStatus) {
    return calls.get(sid).filter(c -> !c.ended())
        .map(call -> report(call, event, callStatus))
        .orElse(Future.succeededFuture());
  }

  private Future<Void> report(SimCall call, String event, String callStatus) {
    if (call.statusCallback() == null || !call.statusCallbackEvents().contains(event)) {
      return Future.succeededFuture();
    }
    Map<String, String> params = voiceParams(call, callStatus);
    params.put("CallbackSource", "call-progress-events");
    params.put("SequenceNumber", String.valueOf(sequences.computeIfAbsent(call.sid(), sid -> new AtomicInteger()).getAndIncrement()));
    params.put("Timestamp", TwilioJson.rfc2822(Instant.now()));
    if (call.durationSeconds() != null) {
      params.put("CallDuration", String.valueOf(call.durationSeconds()));
    }
    return webhooks.send(call.statusCallbackMethod(), call.statusCallback(), params)
        .onSuccess(response -> LOG.debug("Call status callback {} {} answered {}", call.sid(), event, response.statusCode()))
        .onFailure(e -> LOG.info("Call status callback for {} failed: {}", call.sid(), e.toString()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** The parameters Twilio sends on every voice request about a call. */
  private static Map<String, String> voiceParams(SimCall call, String callStatus) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("CallSid", call.sid());
    params.put("AccountSid", call.accountSid());
    params.put("From", call.from());
    params.put("To", call.to());
    params.put("Caller", call.from());
    params.put("Called", call.to());
    params.put("CallStatus", callStatus);
    params.put("Direction", SimCall.OUTBOUND);
    params.put("ApiVersion", TwilioJson.API_VERSION);
    return params;
  }

  /** The Gather's action as an absolute URL: as given, resolved against the document URL, or that URL when absent. */
  static Optional<String> actionUrl(String action, String documentUrl) {
    try {
      if (action == null) {
        return Optional.ofNullable(documentUrl);
      }
      URI uri = URI.create(action);
      if (uri.isAbsolute()) {
        return isHttp(uri) ? Optional.of(action) : Optional.empty();
      }
      return documentUrl == null ? Optional.empty() : Optional.of(URI.create(documentUrl).resolve(uri).toString());
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  static boolean isHttp(URI uri) {
    return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null;
  }

  private static <T> Future<T> refused(int status, String code, String message, String field) {
    return Future.failedFuture(new SimApiException(status, code, message, field));
  }

  /** Runs {@code step} after the current step delay; a negative delay means it never happens. */
  private void later(Runnable step) {
    long delayMs = faults.sentDelayMs();
    if (delayMs < 0 || stopped) {
      return;
    }
    timers.add(vertx.setTimer(Math.max(1, delayMs), id -> {
      timers.remove(id);
      if (!stopped) {
        step.run();
      }
    }));
  }
}
