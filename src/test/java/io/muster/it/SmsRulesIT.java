package io.muster.it;

import io.muster.sim.TwilioSigner;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.notify.domain.Replies;
import io.muster.sim.Faults;
import io.muster.sim.SimMessage;
import io.muster.notify.twilio.TwilioSignature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Muster's SMS rules, one test per rule, end to end: a trigger over HTTP, pages through the real
 * Twilio SDK into the simulator with faults injected ({@link Faults}), replies through the
 * simulator's reply API, status callbacks signed like Twilio's, and the live websocket. Timings are
 * shortened by configuration: the breaker opens for 1 s, an undelivered (30003) message is retried
 * after 2 s, the dispatcher polls every 250 ms and leases a row for 3 s. Fixtures:
 * {@code it/roster-sms.yaml} and {@code it/playbooks-sms/}.
 */
@Timeout(60)
class SmsRulesIT {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String ROSTER = "src/test/resources/it/roster-sms.yaml";
  static final String PLAYBOOKS = "src/test/resources/it/playbooks-sms";

  static final String ANN = "+16175550201";    // on-call: the only one paged by sms-page
  static final String BEN = "+16175550202";    // backup: sms-page's and sms-pair's level 1
  static final String CARA = "+16175550203";   // pair
  static final String DEV = "+16175550204";    // pair
  static final List<String> TEAM = List.of("+16175550205", "+16175550206", "+16175550207", "+16175550208",
      "+16175550209", "+16175550210");
  static final Set<String> ON_ITS_WAY = Set.of("sent", "delivered");

  private TestNodes nodes;
  private LiveClient live;
  private String base;

  private Muster start(String kind) {
    return start(kind, 5, 5);
  }

  /** A node with short SMS timings, the simulator's status callbacks after these delays (negative: none). */
  private Muster start(String kind, long sentDelayMs, long deliveredDelayMs) {
    nodes = TestNodes.on(kind, sentDelayMs, deliveredDelayMs);
    Muster node = nodes.start(ROSTER, PLAYBOOKS, new JsonObject()
        .put("sms", new JsonObject().put("breakerOpenSeconds", 1).put("undeliveredRetrySeconds", 2))
        .put("dispatch", new JsonObject().put("pollMs", 250).put("leaseSeconds", 3)));
    base = TestNodes.baseUrl(node);
    live = LiveClient.connect(node.httpPort(), null);
    return node;
  }

  @AfterEach
  void tearDown() {
    if (live != null) {
      live.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  // ---- provider errors on the create request

  @Test
  @DisplayName("429 (20429) twice: Muster retries with its own backoff, one request per try; one SMS")
  void throttledIsRetriedWithBackoff() {
    start("h2");
    faults().failNext(2, 429, 20429);
    long t0 = System.nanoTime();
    JsonObject incident = trigger("sms-page");

    eventually("Ann paged", () -> pagesTo(ANN, incident) == 1);
    long afterMs = (sms(ANN).get(0).receivedNanos() - t0) / 1_000_000;
    assertThat(nodes.simulator.createAttempts()).as("two refused creates and the accepted one, no SDK or HTTP"
        + " client retry").isEqualTo(3);
    assertThat(afterMs).as("Muster's backoff: 1 s, then 2 s (plus jitter) before the third try")
        .isBetween(2_900L, 10_000L);
    eventually("Ann's page on its way", () -> ON_ITS_WAY.contains(page(incident, "ann-lee").getString("status")));
    assertThat(page(incident, "ann-lee").getInteger("attempts")).isEqualTo(3);
    dispatcherCaughtUp();
    assertThat(sms(ANN)).as("exactly one SMS").hasSize(1);
    assertThat(nodes.simulator.createAttempts()).as("Ann's three, the later pair's two").isEqualTo(3 + 2);
  }

  @Test
  @DisplayName("5xx twice: retried after a backoff; one SMS")
  void serverErrorIsRetried() {
    start("h2");
    faults().failNext(2, 500, null);
    long t0 = System.nanoTime();
    JsonObject incident = trigger("sms-page");

    eventually("Ann paged", () -> pagesTo(ANN, incident) == 1);
    long afterMs = (sms(ANN).get(0).receivedNanos() - t0) / 1_000_000;
    assertThat(nodes.simulator.createAttempts()).as("the SDK's own 5xx retries are off").isEqualTo(3);
    assertThat(afterMs).as("Muster's backoff: 1 s, then 2 s (plus jitter)").isBetween(2_900L, 10_000L);
    eventually("Ann's page on its way", () -> ON_ITS_WAY.contains(page(incident, "ann-lee").getString("status")));
    dispatcherCaughtUp();
    assertThat(sms(ANN)).as("exactly one SMS").hasSize(1);
    assertThat(nodes.simulator.createAttempts()).as("Ann's three, the later pair's two").isEqualTo(3 + 2);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("an outage (every create 503) during a trigger: SMS degraded, only probes while open, then"
      + " recovered and every recipient paged exactly once")
  void outage(String kind) {
    start(kind);
    faults().outage(503);
    long t0 = System.nanoTime();
    JsonObject incident = trigger("sms-team");

    JsonObject degraded = event(null, "sms.degraded", e -> true);
    assertThat(degraded.getJsonObject("payload").getString("node")).isNotBlank();
    // The outage lasts 3 s: a fault's duration, not a wait for something to happen.
    PipelineIT.holdFor(Math.max(0, 3_000 - (System.nanoTime() - t0) / 1_000_000));
    int attemptsDuringOutage = nodes.simulator.createAttempts();
    faults().endOutage();
    assertThat(nodes.simulator.allMessages()).as("nothing accepted during the outage").isEmpty();
    assertThat(attemptsDuringOutage).as("six first tries, then only the breaker's probes, one a second")
        .isBetween(TEAM.size(), TEAM.size() + 3);

    eventually("everyone paged after the outage", Duration.ofSeconds(25),
        () -> TEAM.stream().allMatch(p -> pagesTo(p, incident) == 1));
    JsonObject recovered = event(null, "sms.recovered", e -> true);
    assertThat(recovered.getLong("seq")).isGreaterThan(degraded.getLong("seq"));
    eventually("every page on its way",
        () -> notifications(incident).stream().allMatch(n -> ON_ITS_WAY.contains(n.getString("status"))));
    dispatcherCaughtUp();
    for (String phone : TEAM) {
      assertThat(sms(phone)).as("SMS to %s", phone).hasSize(1);
    }
    assertThat(nodes.simulator.allMessages()).as("the team's, and the later pair's two").hasSize(TEAM.size() + 2);
    assertThat(live.events().stream().filter(e -> "sms.degraded".equals(e.getString("type")))).hasSize(1);
    assertThat(live.events().stream().filter(e -> "sms.recovered".equals(e.getString("type")))).hasSize(1);
  }

  @ParameterizedTest(name = "status callbacks after {0} ms: {1}")
  @CsvSource({"5, the callback comes before the lookup", "6000, the lookup comes before the callback"})
  @DisplayName("no answer to the create (the provider took it): looked up before resending, one SMS, its SID kept")
  void ambiguousFailureIsLookedUpNotResent(long sentCallbackDelayMs, String order) {
    start("h2", sentCallbackDelayMs, 5);
    faults().hang(true);
    JsonObject incident = trigger("sms-page");
    eventually("the first create arrived", () -> nodes.simulator.createAttempts() == 1);
    faults().hang(false);

    eventually("Ann's page recorded as sent", Duration.ofSeconds(20),
        () -> ON_ITS_WAY.contains(page(incident, "ann-lee").getString("status")));
    assertThat(sms(ANN)).as("the one accepted message").hasSize(1);
    // the held request gives up after the SDK's 10 s response timeout: nothing is sent then either
    eventually("the held create given up", Duration.ofSeconds(25), () -> nodes.simulator.heldAnswers() == 0);
    eventually("Ann's page delivered", () -> "delivered".equals(page(incident, "ann-lee").getString("status")));
    dispatcherCaughtUp();
    assertThat(sms(ANN)).as("exactly one SMS").hasSize(1);
    assertThat(nodes.simulator.createAttempts()).as("never created again (the later pair's two aside)").isEqualTo(1 + 2);
    JsonObject page = page(incident, "ann-lee");
    assertThat(page.getString("status")).isEqualTo("delivered");
    assertThat(providerSid(page.getString("id"))).as("the provider's SID of the accepted message")
        .isEqualTo(sms(ANN).get(0).sid());
  }

  @Test
  @DisplayName("a breaker probe that sends nothing (its person opted out) does not keep the breaker shut")
  void probeWithoutSendDoesNotJamTheBreaker() {
    start("h2");
    reply(ANN, "STOP");
    event(null, "sms.opted-out", e -> true);
    faults().outage(503);
    long t0 = System.nanoTime();
    JsonObject team = trigger("sms-team");
    event(null, "sms.degraded", e -> true);
    // queued while the breaker is open, before the team's retries are due: the probe claims it first
    JsonObject optedOut = trigger("sms-page");
    // The outage lasts 3 s: a fault's duration, not a wait for something to happen.
    PipelineIT.holdFor(Math.max(0, 3_000 - (System.nanoTime() - t0) / 1_000_000));
    faults().endOutage();

    eventually("everyone paged after the outage", Duration.ofSeconds(10),
        () -> TEAM.stream().allMatch(p -> pagesTo(p, team) == 1));
    event(null, "sms.recovered", e -> true);
    eventually("Ben paged instead of Ann", () -> pagesTo(BEN, optedOut) == 1);
    assertThat(page(optedOut, "ann-lee").getInteger("errorCode")).isEqualTo(21610);
  }

  // ---- error codes

  @Test
  @DisplayName("21610 (opted out at the provider): not retried, failed, sms.opted-out, the page escalates at"
      + " once; with someone else still reachable at the level it does not")
  void optedOutAtProviderEscalatesAtOnce() {
    start("h2");
    faults().numberFails(ANN, 21610);
    long t0 = System.nanoTime();
    JsonObject incident = trigger("sms-page");
    String id = incident.getString("id");

    eventually("Ann's page failed", () -> "failed".equals(page(incident, "ann-lee").getString("status")));
    assertThat(page(incident, "ann-lee").getInteger("errorCode")).isEqualTo(21610);
    JsonObject optedOut = event(id, "sms.opted-out", e -> true);
    assertThat(optedOut.getJsonObject("payload").getString("staffId")).isEqualTo("ann-lee");
    assertThat(optedOut.getJsonObject("payload").getInteger("errorCode")).isEqualTo(21610);
    eventually("Ben (level 1) paged", () -> pagesTo(BEN, incident) == 1);
    long afterMs = (sms(BEN).get(0).receivedNanos() - t0) / 1_000_000;
    assertThat(afterMs).as("at once, not after the hour").isLessThan(5_000L);
    assertThat(event(id, "page.escalated", e -> true).getJsonObject("payload").getInteger("level")).isEqualTo(1);
    dispatcherCaughtUp();
    assertThat(nodes.simulator.createAttempts()).as("one create for Ann (refused), one for Ben, the later pair's two")
        .isEqualTo(2 + 2);
    assertThat(sms(ANN)).isEmpty();

    // two at the level, one unreachable: the other may still answer, so no escalation
    faults().numberFails(CARA, 21610);
    JsonObject pair = trigger("sms-pair");
    eventually("Cara's page failed", () -> "failed".equals(page(pair, "cara-diaz").getString("status")));
    eventually("Dev paged", () -> pagesTo(DEV, pair) == 1);
    // Whether to escalate is decided with the failure's record: once nothing is queued or being
    // sent, and the live stream has all the journal holds, an escalation would show.
    nodes.awaitOutboxDrained();
    nodes.awaitLive(live);
    assertThat(pagesTo(BEN, pair)).as("no escalation while Dev is reachable").isZero();
    assertThat(live.events().stream().filter(e -> pair.getString("id").equals(e.getString("incidentId")))
        .map(e -> e.getString("type"))).doesNotContain("page.escalated", "page.unreachable");
  }

  @Test
  @DisplayName("30003 (handset unreachable): one more try about 2 s later (sms.retry-scheduled), and no third")
  void handsetUnreachableRetriedOnce() {
    start("h2");
    faults().numberFails(ANN, 30003);
    JsonObject incident = trigger("sms-page");
    String id = incident.getString("id");

    JsonObject scheduled = event(id, "sms.retry-scheduled", e -> true);
    assertThat(scheduled.getJsonObject("payload").getInteger("errorCode")).isEqualTo(30003);
    assertThat(scheduled.getJsonObject("payload").getString("staffId")).isEqualTo("ann-lee");
    eventually("a second SMS to Ann", () -> sms(ANN).size() == 2);
    long gapMs = (sms(ANN).get(1).receivedNanos() - sms(ANN).get(0).receivedNanos()) / 1_000_000;
    assertThat(gapMs).as("sms.undeliveredRetrySeconds: 2").isBetween(1_900L, 6_000L);
    assertThat(sms(ANN).get(1).body()).isEqualTo(sms(ANN).get(0).body());
    eventually("both undelivered", () -> pages(incident, "ann-lee").size() == 2
        && pages(incident, "ann-lee").stream().allMatch(n -> "undelivered".equals(n.getString("status"))));
    // A third try would be queued with the second's undelivered status: once nothing is queued or
    // being sent, and the live stream has all the journal holds, it would show.
    nodes.awaitOutboxDrained();
    nodes.awaitLive(live);
    assertThat(sms(ANN)).as("no third SMS").hasSize(2);
    assertThat(live.events().stream().filter(e -> "sms.retry-scheduled".equals(e.getString("type")))).hasSize(1);
    assertThat(pages(incident, "ann-lee")).allSatisfy(n -> assertThat(n.getInteger("errorCode")).isEqualTo(30003));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {30005, 30006})
  @DisplayName("30005 / 30006 (unknown or unreachable number): no retry, sms.unreachable, the page escalates")
  void unreachableNumberEscalates(int code) {
    start("h2");
    faults().numberFails(ANN, code);
    long t0 = System.nanoTime();
    JsonObject incident = trigger("sms-page");
    String id = incident.getString("id");

    JsonObject unreachable = event(id, "sms.unreachable", e -> true);
    assertThat(unreachable.getJsonObject("payload").getString("staffId")).isEqualTo("ann-lee");
    assertThat(unreachable.getJsonObject("payload").getInteger("errorCode")).isEqualTo(code);
    JsonObject page = page(incident, "ann-lee");
    assertThat(page.getString("status")).isEqualTo("undelivered");
    assertThat(page.getInteger("errorCode")).isEqualTo(code);
    eventually("Ben (level 1) paged", () -> pagesTo(BEN, incident) == 1);
    assertThat((sms(BEN).get(0).receivedNanos() - t0) / 1_000_000).as("at once").isLessThan(5_000L);
    // A retry would be queued with the undelivered status: once nothing is queued or being sent,
    // and the live stream has all the journal holds, it would show.
    nodes.awaitOutboxDrained();
    nodes.awaitLive(live);
    assertThat(sms(ANN)).as("not retried").hasSize(1);
    assertThat(nodes.simulator.createAttempts()).isEqualTo(2);
    assertThat(live.events().stream().map(e -> e.getString("type"))).doesNotContain("sms.retry-scheduled");
  }

  @Test
  @DisplayName("30007 (carrier filtering): sms.flagged for administrators, not retried")
  void carrierFilteredIsFlagged() {
    start("h2");
    faults().numberFails(ANN, 30007);
    JsonObject incident = trigger("sms-page");
    String id = incident.getString("id");

    JsonObject flagged = event(id, "sms.flagged", e -> true);
    assertThat(flagged.getJsonObject("payload").getInteger("errorCode")).isEqualTo(30007);
    assertThat(flagged.getJsonObject("payload").getString("staffId")).isEqualTo("ann-lee");
    assertThat(flagged.getJsonObject("payload").getString("note")).contains("administrator");
    assertThat(page(incident, "ann-lee").getString("status")).isEqualTo("undelivered");
    nodes.awaitOutboxDrained();   // a retry would be queued with the undelivered status
    nodes.awaitLive(live);
    assertThat(sms(ANN)).as("not retried").hasSize(1);
    assertThat(live.events().stream().map(e -> e.getString("type"))).doesNotContain("sms.retry-scheduled");
  }

  // ---- keywords and replies

  @Test
  @DisplayName("STOP: opted out, a later page is not sent and escalates; START: opted in, pages reach them again")
  void stopAndStart() {
    start("h2");
    reply(ANN, "STOP");
    JsonObject optedOut = event(null, "sms.opted-out", e -> true);
    assertThat(optedOut.getJsonObject("payload").getString("staffId")).isEqualTo("ann-lee");

    JsonObject first = trigger("sms-page");
    eventually("Ann's page failed", () -> "failed".equals(page(first, "ann-lee").getString("status")));
    assertThat(page(first, "ann-lee").getInteger("errorCode")).isEqualTo(21610);
    eventually("Ben (level 1) paged, Ann being the only one at level 0", () -> pagesTo(BEN, first) == 1);
    assertThat(sms(ANN)).as("nothing reaches Ann").isEmpty();
    assertThat(nodes.simulator.createAttempts()).as("not even tried at the provider").isEqualTo(1);

    reply(ANN, "START");
    JsonObject optedIn = event(null, "sms.opted-in", e -> true);
    assertThat(optedIn.getJsonObject("payload").getString("staffId")).isEqualTo("ann-lee");
    JsonObject second = trigger("sms-page");
    eventually("Ann paged again", () -> pagesTo(ANN, second) == 1);
    eventually("on its way", () -> ON_ITS_WAY.contains(page(second, "ann-lee").getString("status")));
    assertThat(pagesTo(BEN, second)).as("no escalation").isZero();
  }

  @Test
  @DisplayName("HELP, and anything not understood, get the help text back by SMS")
  void helpAndGibberish() {
    start("h2");
    reply(ANN, "HELP");
    eventually("the help text", () -> sms(ANN).size() == 1);
    assertThat(sms(ANN).get(0).body()).isEqualTo(Replies.HELP_TEXT);

    reply(ANN, "where do I park?");
    eventually("the help text again", () -> sms(ANN).size() == 2);
    assertThat(sms(ANN).get(1).body()).isEqualTo(Replies.HELP_TEXT);
    nodes.awaitOutboxDrained();   // what the replies queued has been sent
    assertThat(sms(ANN)).hasSize(2);
  }

  @Test
  @DisplayName("\"1 <REF>\" acknowledges that incident's page, not the newest one")
  void referencePicksTheOlderIncident() {
    start("h2");
    JsonObject older = trigger("sms-page");
    eventually("Ann paged for the first incident", () -> pagesTo(ANN, older) == 1);
    JsonObject newer = trigger("sms-page");
    eventually("Ann paged for the second incident", () -> pagesTo(ANN, newer) == 1);

    reply(ANN, "1 " + older.getString("ref"));
    JsonObject ack = event(null, "notification.acknowledged", e -> true);
    assertThat(ack.getString("incidentId")).isEqualTo(older.getString("id"));
    assertThat(acks(older)).extracting(a -> a.getString("staffId")).containsExactly("ann-lee");
    assertThat(acks(newer)).isEmpty();

    reply(ANN, "1");
    eventually("a plain 1 acknowledges the newest", () -> acks(newer).size() == 1);
    assertThat(acks(older)).hasSize(1);
  }

  @Test
  @DisplayName("a drill's messages start with \"DRILL - \"; a real incident's do not")
  void drillMessagesSaySo() {
    start("h2");
    JsonObject drill = trigger("sms-page", true);
    assertThat(drill.getBoolean("drill")).isTrue();
    eventually("Ann paged for the drill", () -> sms(ANN).size() == 1);
    assertThat(sms(ANN).get(0).body()).startsWith("DRILL - [" + drill.getString("ref") + "] ");

    JsonObject real = trigger("sms-page", false);
    eventually("Ann paged for the real one", () -> sms(ANN).size() == 2);
    assertThat(sms(ANN).get(1).body()).startsWith("[" + real.getString("ref") + "] ").doesNotContain("DRILL");
  }

  // ---- status callbacks

  @Test
  @DisplayName("status callbacks out of order: delivered then a late sent stays delivered; a duplicate"
      + " delivered makes one status event")
  void statusCallbacksOutOfOrder() {
    start("h2", -1, -1);   // the simulator sends no callbacks: only the ones signed here
    JsonObject incident = trigger("sms-page");
    eventually("Ann's page sent", () -> "sent".equals(page(incident, "ann-lee").getString("status")));
    String notificationId = page(incident, "ann-lee").getString("id");
    String sid = sms(ANN).get(0).sid();
    String path = "/webhooks/twilio/status?n=" + notificationId;

    assertThat(postStatus(path, sid, "delivered").status()).isEqualTo(204);
    assertThat(page(incident, "ann-lee").getString("status")).isEqualTo("delivered");
    assertThat(postStatus(path, sid, "sent").status()).isEqualTo(204);
    assertThat(page(incident, "ann-lee").getString("status")).as("a late sent").isEqualTo("delivered");
    assertThat(postStatus(path, sid, "delivered").status()).isEqualTo(204);
    assertThat(page(incident, "ann-lee").getString("status")).isEqualTo("delivered");

    JsonObject status = event(incident.getString("id"), "notification.status", e -> true);
    assertThat(status.getJsonObject("payload").getString("status")).isEqualTo("delivered");
    nodes.awaitLive(live);   // the live stream has every event the journal holds
    assertThat(live.events().stream().filter(e -> "notification.status".equals(e.getString("type")))
        .filter(e -> notificationId.equals(e.getJsonObject("payload").getString("notificationId"))))
        .as("status events on the live stream").hasSize(1);
    assertThat(nodes.db().count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.status'"
        + " AND payload LIKE '%" + notificationId + "%'")).as("status events in the journal").isEqualTo(1);
  }

  // ---- helpers

  private Faults faults() {
    return nodes.simulator.faults();
  }

  private JsonObject trigger(String type) {
    return trigger(type, false);
  }

  private JsonObject trigger(String type, boolean drill) {
    return TestNodes.trigger(base, new JsonObject().put("type", type).put("facilityId", "general")
        .put("summary", "SMS rules").put("drill", drill));
  }

  /**
   * The positive signal that the dispatcher has run since: a later page (sms-pair, to Cara and Dev)
   * reaches the simulator, and then nothing is queued or being sent. A row due before it was claimed
   * no later than the marker's, so whatever was to go has gone. Returns the marker incident.
   */
  private JsonObject dispatcherCaughtUp() {
    JsonObject marker = trigger("sms-pair");
    eventually("the later pair paged", () -> pagesTo(CARA, marker) == 1 && pagesTo(DEV, marker) == 1);
    nodes.awaitOutboxDrained();
    return marker;
  }

  private void reply(String phone, String body) {
    JsonObject r = PipelineIT.reply(base, nodes.simulator, phone, body);
    assertThat(r.getInteger("webhookStatus")).as("the reply webhook's status").isEqualTo(200);
  }

  private JsonObject detail(JsonObject incident) {
    Http.Response r = Http.get(base + "/api/v1/incidents/" + incident.getString("id"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private List<JsonObject> notifications(JsonObject incident) {
    return objects(detail(incident).getJsonArray("notifications"));
  }

  private List<JsonObject> pages(JsonObject incident, String staffId) {
    return notifications(incident).stream()
        .filter(n -> staffId.equals(n.getString("staffId")) && "page".equals(n.getString("kind"))).toList();
  }

  /** The first page of this incident to this person. */
  private JsonObject page(JsonObject incident, String staffId) {
    List<JsonObject> pages = pages(incident, staffId);
    assertThat(pages).as("pages to %s", staffId).isNotEmpty();
    return pages.get(0);
  }

  private List<JsonObject> acks(JsonObject incident) {
    return objects(detail(incident).getJsonArray("acks"));
  }

  private List<SimMessage> sms(String phone) {
    return nodes.simulator.messagesTo(phone);
  }

  private long pagesTo(String phone, JsonObject incident) {
    return sms(phone).stream().filter(m -> m.body().contains("[" + incident.getString("ref") + "]")).count();
  }

  private String providerSid(String notificationId) {
    for (SimMessage m : nodes.simulator.allMessages()) {
      if (nodes.db().count("SELECT COUNT(*) FROM notification WHERE id = '" + notificationId + "' AND provider_sid = '"
          + m.sid() + "'") == 1) {
        return m.sid();
      }
    }
    return null;
  }

  private Http.Response postStatus(String pathAndQuery, String sid, String status) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", sid);
    params.put("SmsSid", sid);
    params.put("AccountSid", TestNodes.ACCOUNT_SID);
    params.put("From", "+15005550006");
    params.put("To", ANN);
    params.put("MessageStatus", status);
    params.put("SmsStatus", status);
    params.put("ApiVersion", "2010-04-01");
    String signature = TwilioSigner.sign(TestNodes.AUTH_TOKEN, base + pathAndQuery, params);
    String form = params.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return Http.post(base + pathAndQuery, "application/x-www-form-urlencoded", form, TwilioSignature.HEADER, signature);
  }

  /** The first event of this type (and incident, unless null) matching, received so far or within WAIT. */
  private JsonObject event(String incidentId, String type, Predicate<JsonObject> match) {
    return live.first(incidentId, type, match, WAIT);
  }

  private static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getJsonObject(i));
    }
    return out;
  }

  private static void eventually(String what, BooleanSupplier condition) {
    eventually(what, WAIT, condition);
  }

  private static void eventually(String what, Duration wait, BooleanSupplier condition) {
    PipelineIT.eventually(what, wait, condition);
  }
}
