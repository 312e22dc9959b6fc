package io.muster.sim;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Faults the simulator injects into Twilio's Messages API, for tests and drills: an outage, the
 * next few creates failing, answers that never come, numbers whose messages fail, and the status
 * callback delays, or message status callbacks that are lost ({@link #dropCallbacks}); and into its Calls API: call-create
 * answers that never come ({@link #hangCalls}). Set from any thread (every method is atomic); {@link #reset} goes back to a
 * healthy service with the configured delays. Also reachable over HTTP under {@code /sim/api/faults}.
 *
 * <p>Precedence for one create request, after authentication: an outage answers first; otherwise a
 * pending {@link #failNext} failure is used up; otherwise, with {@link #hang} on, the request is
 * handled as usual (an accepted message is stored, listed and delivered) but never answered; a
 * number refused at the API ({@link #numberFails} with a 21xxx code) answers 400.
 */
public final class Faults {

  /**
   * Carrier errors that Twilio reports on a delivery receipt: the message was {@code sent}, then
   * {@code undelivered}. Any other delivery code (30001 queue overflow, 30002 account suspended,
   * 30008 unknown error…) makes the message {@code failed} without ever being sent.
   */
  static final Set<Integer> UNDELIVERED_CODES = Set.of(30003, 30004, 30005, 30006, 30007);

  private final long configuredSentDelayMs;
  private final long configuredDeliveredDelayMs;

  private Integer outageStatus;
  private int failNextRemaining;
  private int failNextStatus;
  private Integer failNextCode;
  private boolean hang;
  private boolean hangCalls;
  private boolean dropCallbacks;
  private final Map<String, Integer> failingNumbers = new LinkedHashMap<>();
  private long sentDelayMs;
  private long deliveredDelayMs;

  Faults(long sentDelayMs, long deliveredDelayMs) {
    this.configuredSentDelayMs = sentDelayMs;
    this.configuredDeliveredDelayMs = deliveredDelayMs;
    this.sentDelayMs = sentDelayMs;
    this.deliveredDelayMs = deliveredDelayMs;
  }

  /** A failed create as Twilio answers it: HTTP status, Twilio error code and message. */
  record Rejection(int status, int code, String message) {
    JsonObject body() {
      return TwilioJson.error(status, code, message);
    }
  }

  /** Every Messages create answers {@code httpStatus} (e.g. 500, 503) with Twilio's error body, until {@link #endOutage}. */
  public synchronized Faults outage(int httpStatus) {
    outageStatus = checkedStatus(httpStatus);
    return this;
  }

  public synchronized Faults endOutage() {
    outageStatus = null;
    return this;
  }

  /**
   * The next {@code count} creates fail with {@code httpStatus} and {@code twilioCode} (null: the
   * usual code for the status, e.g. 20429 for 429, 20500 for 500). Replaces any pending ones;
   * a count of 0 cancels them.
   */
  public synchronized Faults failNext(int count, int httpStatus, Integer twilioCode) {
    if (count < 0) {
      throw new IllegalArgumentException("count: must not be negative");
    }
    failNextStatus = checkedStatus(httpStatus);
    failNextCode = twilioCode == null ? null : checkedCode(twilioCode);
    failNextRemaining = count;
    return this;
  }

  /**
   * While on, creates are handled (an accepted message is stored, listed and delivered) but the
   * HTTP answer never comes, so the client times out: the ambiguous failure. Requests left
   * hanging stay open until the client gives up or the simulator stops.
   */
  public synchronized Faults hang(boolean on) {
    hang = on;
    return this;
  }

  /**
   * The same for the Calls API, and for it alone: while on, a call create is handled (a valid call
   * is stored, listed and runs: it rings, is answered, its TwiML is played) but the HTTP answer never
   * comes, so the client times out without the call's SID and cannot know the person is being
   * called. Messages are not affected (see {@link #hang}).
   */
  public synchronized Faults hangCalls(boolean on) {
    hangCalls = on;
    return this;
  }

  /**
   * Messages to {@code e164} fail as Twilio fails them. A 21xxx code (21610: the recipient opted
   * out) refuses the create with 400 and that code. A carrier code is accepted (201) and then
   * reported on the status callback with {@code ErrorCode}: 30003, 30004, 30005, 30006 and 30007
   * go {@code sent} then {@code undelivered}; other codes go straight to {@code failed}.
   */
  public synchronized Faults numberFails(String e164, int twilioCode) {
    String number = Phones.parse(e164).orElseThrow(() -> new IllegalArgumentException("e164: not E.164"));
    failingNumbers.put(number, checkedCode(twilioCode));
    return this;
  }

  /** Messages to {@code e164} are delivered again. */
  public synchronized Faults numberOk(String e164) {
    failingNumbers.remove(Phones.parse(e164).orElse(e164));
    return this;
  }

  /**
   * While on, messages still move on (sent, then delivered, as fetch and list show) but their status
   * callbacks are never posted: the receipts are lost, as when the node they were addressed to is
   * down. Calls are not affected.
   */
  public synchronized Faults dropCallbacks(boolean on) {
    dropCallbacks = on;
    return this;
  }

  /** Whether message status callbacks are lost ({@link #dropCallbacks}). */
  public synchronized boolean callbacksDropped() {
    return dropCallbacks;
  }

  /**
   * Status callback delays from now on: acceptance to "sent", then "sent" to "delivered" (or to
   * "undelivered"); negative means never. Messages already waiting keep their timers.
   */
  public synchronized Faults delays(long sentMs, long deliveredMs) {
    sentDelayMs = sentMs;
    deliveredDelayMs = deliveredMs;
    return this;
  }

  /**
   * A healthy service again: no outage, no pending failures, no hangs, no failing numbers, callbacks
   * posted, the configured delays.
   */
  public synchronized void reset() {
    outageStatus = null;
    failNextRemaining = 0;
    failNextCode = null;
    hang = false;
    hangCalls = false;
    dropCallbacks = false;
    failingNumbers.clear();
    sentDelayMs = configuredSentDelayMs;
    deliveredDelayMs = configuredDeliveredDelayMs;
  }

  public synchronized boolean hanging() {
    return hang;
  }

  /** Whether call creates are left unanswered ({@link #hangCalls}). */
  public synchronized boolean callsHanging() {
    return hangCalls;
  }

  /** How many {@link #failNext} failures are still to come. */
  public synchronized int failNextRemaining() {
    return failNextRemaining;
  }

  public synchronized long sentDelayMs() {
    return sentDelayMs;
  }

  public synchronized long deliveredDelayMs() {
    return deliveredDelayMs;
  }

  /** The answer for this create if an outage or a pending failure decides it; uses up one pending failure. */
  synchronized Optional<Rejection> takeRejection() {
    if (outageStatus != null) {
      return Optional.of(rejection(outageStatus, null));
    }
    if (failNextRemaining > 0) {
      failNextRemaining--;
      return Optional.of(rejection(failNextStatus, failNextCode));
    }
    return Optional.empty();
  }

  /** The 400 a create to {@code to} gets, if that number is set to be refused at the API. */
  synchronized Optional<Rejection> refusal(String to) {
    Integer code = failingNumbers.get(to);
    if (code == null || !refusedAtApi(code)) {
      return Optional.empty();
    }
    return Optional.of(new Rejection(400, code, TwilioJson.errorText(code)));
  }

  /** The carrier error an accepted message to {@code to} ends with, if any. */
  synchronized Optional<Integer> deliveryFailure(String to) {
    Integer code = failingNumbers.get(to);
    return code == null || refusedAtApi(code) ? Optional.empty() : Optional.of(code);
  }

  synchronized JsonObject toJson() {
    JsonObject numbers = new JsonObject();
    failingNumbers.forEach(numbers::put);
    JsonObject failNext = failNextRemaining == 0 ? null : new JsonObject()
        .put("count", failNextRemaining)
        .put("status", failNextStatus)
        .put("code", failNextCode == null ? defaultCode(failNextStatus) : failNextCode);
    return new JsonObject()
        .put("outage", outageStatus)
        .put("failNext", failNext)
        .put("hang", hang)
        .put("hangCalls", hangCalls)
        .put("dropCallbacks", dropCallbacks)
        .put("numbers", numbers)
        .put("delays", new JsonObject().put("sentMs", sentDelayMs).put("deliveredMs", deliveredDelayMs));
  }

  /** "failed" or "undelivered", the final status Twilio gives a message that ends with {@code code}. */
  static String finalStatus(int code) {
    return UNDELIVERED_CODES.contains(code) ? "undelivered" : "failed";
  }

  private static boolean refusedAtApi(int code) {
    return code >= 21000 && code < 22000;
  }

  private static Rejection rejection(int status, Integer code) {
    int twilioCode = code == null ? defaultCode(status) : code;
    return new Rejection(status, twilioCode, TwilioJson.errorText(twilioCode));
  }

  /** Twilio's generic code for an HTTP status: 20429, 20500, 20503… */
  static int defaultCode(int status) {
    return 20000 + status;
  }

  private static int checkedStatus(int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("httpStatus: must be a 4xx or 5xx status");
    }
    return status;
  }

  private static int checkedCode(int code) {
    if (code <= 0) {
      throw new IllegalArgumentException("twilioCode: must be positive");
    }
    return code;
  }

  @Override
  public synchronized String toString() {
    return "Faults" + toJson().encode().replaceAll("\\+[0-9]+", "+…"); // no phone numbers in logs
  }
}
