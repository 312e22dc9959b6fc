package io.muster.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves an accepted message to "sent", then to "delivered", on timers (never blocking the event
 * loop), and reports each step to its StatusCallback as Twilio does. The delivered timer starts
 * only after the "sent" callback was answered, so the application sees the two in order. A message
 * to a number set to fail ({@link Faults#numberFails}) ends "undelivered" after "sent", or "failed"
 * instead of "sent", with its {@code ErrorCode}. The delays are read from {@link Faults} when each
 * timer is set, so they can change at run time.
 */
final class Delivery {

  private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);

  private final Vertx vertx;
  private final MessageStore store;
  private final Webhooks webhooks;
  private final Faults faults;
  private final Set<Long> timers = ConcurrentHashMap.newKeySet();
  private volatile boolean stopped;

  Delivery(Vertx vertx, MessageStore store, Webhooks webhooks, Faults faults) {
    this.vertx = vertx;
    this.store = store;
    this.webhooks = webhooks;
    this.faults = faults;
  }

  void track(SimMessage message) {
    track(message, Optional.empty());
  }

  /** Delivers {@code message}, or fails it with {@code failure} (a Twilio carrier error code). */
  void track(SimMessage message, Optional<Integer> failure) {
    String sid = message.sid();
    if (failure.isEmpty()) {
      later(faults.sentDelayMs(), () -> advance(sid, "sent")
          .onComplete(done -> later(faults.deliveredDelayMs(), () -> advance(sid, "delivered"))));
      return;
    }
    int code = failure.get();
    if ("failed".equals(Faults.finalStatus(code))) {
      later(faults.sentDelayMs(), () -> fail(sid, "failed", code));
    } else {
      later(faults.sentDelayMs(), () -> advance(sid, "sent")
          .onComplete(done -> later(faults.deliveredDelayMs(), () -> fail(sid, "undelivered", code))));
    }
  }

  void stop() {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }

  private Future<Void> advance(String sid, String status) {
    return store.update(sid, m -> m.withStatus(status, Instant.now()))
        .map(this::report)
        .orElse(Future.succeededFuture()); // cleared meanwhile
  }

  private Future<Void> fail(String sid, String status, int code) {
    return store.update(sid, m -> m.withFailure(status, code, Instant.now()))
        .map(this::report)
        .orElse(Future.succeededFuture());
  }

  private Future<Void> report(SimMessage message) {
    if (message.statusCallback() == null || faults.callbacksDropped()) {
      return Future.succeededFuture();
    }
    return webhooks.post(message.statusCallback(), callbackParams(message))
        .onSuccess(status -> LOG.debug("Status callback {} {} answered {}", message.sid(), message.status(), status))
        .onFailure(e -> LOG.info("Status callback for {} failed: {}", message.sid(), e.toString()))
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture()); // Twilio does not retry status callbacks either
  }

  private static Map<String, String> callbackParams(SimMessage m) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", m.sid());
    params.put("SmsSid", m.sid());
    params.put("AccountSid", m.accountSid());
    params.put("From", m.from());
    params.put("To", m.to());
    params.put("MessageStatus", m.status());
    params.put("SmsStatus", m.status());
    params.put("ApiVersion", TwilioJson.API_VERSION);
    if (m.messagingServiceSid() != null) {
      params.put("MessagingServiceSid", m.messagingServiceSid());
    }
    if (m.errorCode() != null) {
      params.put("ErrorCode", String.valueOf(m.errorCode()));
    }
    return params;
  }

  /** Runs {@code step} after {@code delayMs}; a negative delay means the step never happens. */
  private void later(long delayMs, Runnable step) {
    if (delayMs < 0 || stopped) {
      return;
    }
    // Set from the event loop that fires it, so the id is registered before it can fire.
    timers.add(vertx.setTimer(Math.max(1, delayMs), id -> {
      timers.remove(id);
      if (!stopped) {
        step.run();
      }
    }));
  }
}
