package io.muster.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One voice call placed through the simulator's Calls API. Immutable; a change stores a new copy.
 *
 * <p>Its status moves as Twilio's does: {@code queued}, {@code ringing}, {@code in-progress} once
 * answered, then {@code completed} (or {@code no-answer} when the phone hangs up before answering).
 *
 * @param twiml the TwiML the call runs: the inline Twiml it was created with, the document fetched
 *     from {@code url} once answered, or the one a Gather action answered with; null until known
 * @param twimlUrl the URL {@code twiml} came from (relative URLs in it resolve against it), null for inline TwiML
 * @param url the URL the TwiML is fetched from when the call is answered, or null for inline TwiML
 * @param method how {@code url} is requested: POST or GET
 * @param statusCallback where call progress events go, or null
 * @param statusCallbackEvents the events reported there: initiated, ringing, answered, completed
 * @param pressed the keys pressed on the call so far, one entry per press
 * @param receivedNanos {@link System#nanoTime()} when the simulator accepted it
 */
public record SimCall(
    String sid,
    String accountSid,
    String from,
    String to,
    String status,
    String twiml,
    String twimlUrl,
    String url,
    String method,
    String statusCallback,
    String statusCallbackMethod,
    List<String> statusCallbackEvents,
    List<String> pressed,
    Instant dateCreated,
    Instant dateUpdated,
    Instant startTime,
    Instant endTime,
    long receivedNanos) {

  public static final String OUTBOUND = "outbound-api";
  private static final Set<String> ENDED = Set.of("completed", "no-answer", "busy", "failed", "canceled");

  public SimCall {
    statusCallbackEvents = List.copyOf(statusCallbackEvents);
    pressed = List.copyOf(pressed);
  }

  /** True once the call is over (completed, no-answer, busy, failed or canceled). */
  public boolean ended() {
    return ENDED.contains(status);
  }

  /** True while the call is answered and its TwiML waits for keys ({@code <Gather>}). */
  public boolean awaitingKeys() {
    return "in-progress".equals(status) && document().flatMap(TwimlDocument::gather).isPresent();
  }

  /** What the call says ({@code <Say>} texts of its current TwiML, in order). */
  public List<String> says() {
    return document().map(TwimlDocument::says).orElse(List.of());
  }

  /** Whole seconds between answer and end, once the call has ended; null before. */
  public Integer durationSeconds() {
    if (endTime == null) {
      return null;
    }
    return startTime == null ? 0 : (int) Duration.between(startTime, endTime).toSeconds();
  }

  Optional<TwimlDocument> document() {
    return TwimlDocument.parse(twiml);
  }

  SimCall withStatus(String newStatus, Instant at) {
    Instant started = "in-progress".equals(newStatus) && startTime == null ? at : startTime;
    Instant ended = ENDED.contains(newStatus) && endTime == null ? at : endTime;
    return new SimCall(sid, accountSid, from, to, newStatus, twiml, twimlUrl, url, method, statusCallback, statusCallbackMethod,
        statusCallbackEvents, pressed, dateCreated, at, started, ended, receivedNanos);
  }

  SimCall withTwiml(String newTwiml, String fromUrl, Instant at) {
    return new SimCall(sid, accountSid, from, to, status, newTwiml, fromUrl, url, method, statusCallback, statusCallbackMethod,
        statusCallbackEvents, pressed, dateCreated, at, startTime, endTime, receivedNanos);
  }

  SimCall withPressed(String keys, Instant at) {
    List<String> all = new ArrayList<>(pressed);
    all.add(keys);
    return new SimCall(sid, accountSid, from, to, status, twiml, twimlUrl, url, method, statusCallback, statusCallbackMethod,
        statusCallbackEvents, all, dateCreated, at, startTime, endTime, receivedNanos);
  }

  /** Never print numbers or TwiML by accident (records print every component by default). */
  @Override
  public String toString() {
    return "SimCall[sid=" + sid + ", status=" + status + ", pressed=" + pressed.size() + "]";
  }
}
