package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.sim.SimMessage;
import io.muster.sim.SmsSimulator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The core pipeline end to end, on H2 and on PostgreSQL: trigger over HTTP, pages through the real
 * Twilio SDK into the simulator, an SMS reply signed like Twilio's, the live websocket, resolve.
 */
@Timeout(120)
class PipelineIT {
  static final String MCI = "{\"type\":\"mass-casualty\",\"facilityId\":\"general\",\"summary\":\"Bus crash on the interstate\"}";
  /** Who holds the mass-casualty playbook's first-step roles at the general hospital. */
  static final Set<String> MCI_PHONES = Set.of("+16175550101", "+16175550102", "+16175550103", "+16175550104");
  static final Duration WAIT = Duration.ofSeconds(15);

  private TestNodes nodes;

  private Muster start(String kind) {
    nodes = TestNodes.on(kind);
    return nodes.start();
  }

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("trigger pages by SMS, a reply acknowledges, the websocket shows it all, resolve sends the all-clear")
  void endToEnd(String kind) {
    Muster node = start(kind);
    String base = TestNodes.baseUrl(node);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      Http.Response created = Http.postJson(base + "/api/v1/incidents", MCI);
      assertThat(created.status()).isEqualTo(201);
      JsonObject incident = created.json();
      String id = incident.getString("id");
      assertThat(created.header("Location")).isEqualTo("/api/v1/incidents/" + id);
      assertThat(incident.getString("status")).isEqualTo("active");
      assertThat(incident.getString("severity")).isEqualTo("critical");

      eventually(() -> MCI_PHONES.stream().allMatch(p -> pagesTo(p, incident.getString("ref")) == 1));
      assertThat(nodes.simulator.allMessages().stream().filter(SimMessage::outbound).count()).isEqualTo(4);
      SimMessage page = nodes.simulator.messagesTo("+16175550103").get(0);
      assertThat(page.body()).contains("[" + incident.getString("ref") + "]").contains("Reply 1 to acknowledge");

      assertThat(live.awaitType("incident.triggered", WAIT).getString("incidentId")).isEqualTo(id);
      JsonObject reply = reply(base, "+16175550103", " Yes ");
      assertThat(reply.getInteger("webhookStatus")).isEqualTo(200);
      JsonObject ack = live.awaitType("notification.acknowledged", WAIT);
      assertThat(ack.getString("incidentId")).isEqualTo(id);
      assertThat(ack.getJsonObject("payload").getString("staffId")).isEqualTo("priya-raman");

      eventually(() -> statuses(base, id).stream().allMatch("delivered"::equals));
      JsonObject detail = Http.get(base + "/api/v1/incidents/" + id).json();
      assertThat(detail.getJsonArray("acks")).hasSize(1);
      assertThat(detail.getJsonArray("acks").getJsonObject(0).getString("staffName")).isEqualTo("Priya Raman");
      assertThat(detail.getJsonArray("notifications")).hasSize(4);
      assertThat(types(detail.getJsonArray("timeline"))).contains("incident.triggered", "notification.queued",
          "notification.sent", "notification.status", "notification.acknowledged");

      Http.Response resolved = Http.post(base + "/api/v1/incidents/" + id + "/resolve", null, "");
      assertThat(resolved.status()).isEqualTo(200);
      assertThat(resolved.json().getString("status")).isEqualTo("resolved");
      assertThat(live.awaitType("incident.resolved", WAIT).getString("incidentId")).isEqualTo(id);
      eventually(() -> MCI_PHONES.stream().allMatch(p -> nodes.simulator.messagesTo(p).stream()
          .filter(m -> m.body().contains("ALL CLEAR")).count() == 1));

      Http.Response again = Http.post(base + "/api/v1/incidents/" + id + "/resolve", null, "");
      assertThat(again.status()).isEqualTo(409);
      assertThat(again.json().getJsonObject("error").getString("code")).isEqualTo("conflict");
      assertSeqStrictlyIncreasing(live.events());
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a websocket client that reconnects with since gets every missed event once, in order")
  void resumeWithSince(String kind) {
    Muster node = start(kind);
    String base = TestNodes.baseUrl(node);
    long resumeFrom;
    try (LiveClient first = LiveClient.connect(node.httpPort(), 0L)) {
      Http.postJson(base + "/api/v1/incidents", MCI);
      first.awaitType("notification.sent", WAIT);
      resumeFrom = first.lastSeq();
    }
    for (int i = 0; i < 3; i++) {
      assertThat(Http.postJson(base + "/api/v1/incidents", MCI).status()).isEqualTo(201);
    }
    eventually(() -> nodes.simulator.allMessages().stream().filter(SimMessage::outbound)
        .filter(m -> "delivered".equals(m.status())).count() == 16);
    // The journal head stops moving once every page is delivered and every event is numbered: a row's
    // last event (its delivery) is committed with its final state and numbered right after, and the
    // playbook's next timers are minutes away.
    eventually(() -> nodes.db().count("SELECT COUNT(*) FROM notification WHERE status <> 'delivered'") == 0
        && nodes.db().count("SELECT COUNT(*) FROM journal WHERE seq < 0") == 0);
    long head;
    try (LiveClient probe = LiveClient.connect(node.httpPort(), null)) {
      head = probe.snapshot.getLong("seq");
    }
    try (LiveClient resumed = LiveClient.connect(node.httpPort(), resumeFrom)) {
      eventually(() -> resumed.lastSeq() >= head);
      List<Long> seqs = resumed.events().stream().map(e -> e.getLong("seq")).toList();
      List<Long> expected = new ArrayList<>();
      for (long s = resumeFrom + 1; s <= head; s++) {
        expected.add(s);
      }
      assertThat(seqs).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("ten concurrent triggers with one Idempotency-Key make one incident and one set of pages")
  void idempotentTrigger(String kind) throws Exception {
    Muster node = start(kind);
    String base = TestNodes.baseUrl(node);
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Callable<Http.Response>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        calls.add(() -> Http.postJson(base + "/api/v1/incidents", MCI, "Idempotency-Key", "retry-key-1"));
      }
      List<Http.Response> responses = new ArrayList<>();
      for (Future<Http.Response> f : pool.invokeAll(calls)) {
        responses.add(f.get());
      }
      assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(201));
      Set<String> ids = responses.stream().map(r -> r.json().getString("id")).collect(Collectors.toSet());
      assertThat(ids).hasSize(1);
      assertThat(responses.stream().filter(r -> "false".equals(r.header("Idempotent-Replayed"))).count()).isEqualTo(1);
      String ref = responses.get(0).json().getString("ref");
      eventually(() -> MCI_PHONES.stream().allMatch(p -> pagesTo(p, ref) == 1));
      // Nothing more is on its way once no row is queued or being sent: a second set of pages would be rows.
      nodes.awaitOutboxDrained();
      assertThat(nodes.simulator.allMessages().stream().filter(SimMessage::outbound).count()).isEqualTo(4);
      assertThat(nodes.db().count("SELECT COUNT(*) FROM incident")).isEqualTo(1);

      Http.Response reused = Http.postJson(base + "/api/v1/incidents",
          MCI.replace("Bus crash", "Train crash"), "Idempotency-Key", "retry-key-1");
      assertThat(reused.status()).isEqualTo(409);
      assertThat(reused.json().getJsonObject("error").getString("field")).isEqualTo("Idempotency-Key");
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("after a restart the incident, its pages and its acknowledgements are all there")
  void restartDurability(String kind) {
    Muster node = start(kind);
    String base = TestNodes.baseUrl(node);
    JsonObject incident = Http.postJson(base + "/api/v1/incidents", MCI).json();
    String id = incident.getString("id");
    eventually(() -> MCI_PHONES.stream().allMatch(p -> pagesTo(p, incident.getString("ref")) == 1));
    assertThat(reply(base, "+16175550101", "ACK").getInteger("webhookStatus")).isEqualTo(200);
    eventually(() -> Http.get(base + "/api/v1/incidents/" + id).json().getJsonArray("acks").size() == 1);
    JsonObject before = Http.get(base + "/api/v1/incidents/" + id).json();

    nodes.stop(node);
    Muster restarted = nodes.start();
    String after = TestNodes.baseUrl(restarted);
    JsonObject detail = Http.get(after + "/api/v1/incidents/" + id).json();
    assertThat(detail.getString("status")).isEqualTo("active");
    assertThat(detail.getJsonArray("notifications")).hasSize(4);
    assertThat(detail.getJsonArray("acks").getJsonObject(0).getString("staffId")).isEqualTo("dana-whitfield");
    assertThat(detail.getJsonArray("timeline").size()).isGreaterThanOrEqualTo(before.getJsonArray("timeline").size());
    assertThat(Http.get(after + "/api/v1/incidents?status=active").json().getJsonArray("incidents")).hasSize(1);
    // The restarted dispatcher demonstrably ran: a later incident's pages arrive, and then nothing
    // is queued or being sent. A page of the first incident sent again would have gone by then.
    nodes.awaitMarker(after, new JsonObject(MCI), MCI_PHONES);
    assertThat(nodes.simulator.allMessages().stream().filter(SimMessage::outbound)
        .filter(m -> m.body().contains("[" + incident.getString("ref") + "]")).count())
        .as("the restart sends nothing again").isEqualTo(4);
    assertThat(nodes.simulator.allMessages().stream().filter(SimMessage::outbound).count()).isEqualTo(8);
  }

  // ---- helpers shared with the other integration tests

  JsonObject reply(String nodeBase, String phone, String body) {
    return reply(nodeBase, nodes.simulator, phone, body);
  }

  long pagesTo(String phone, String ref) {
    return nodes.simulator.messagesTo(phone).stream().filter(m -> m.body().contains("[" + ref + "]")).count();
  }

  /** The phone replies through the simulator's phone API; the simulator is pointed at {@code nodeBase}'s webhook first. */
  static JsonObject reply(String nodeBase, SmsSimulator simulator, String phone, String body) {
    simulator.setInboundWebhookUrl(nodeBase + "/webhooks/twilio/sms");
    JsonObject request = new JsonObject().put("body", body);
    Http.Response r = Http.postJson(simulator.baseUrl() + "/sim/api/phones/" + phone.replace("+", "%2B") + "/reply", request.encode());
    assertThat(r.status()).as("simulator reply: %s", r.body()).isEqualTo(200);
    return r.json();
  }

  static List<String> statuses(String base, String id) {
    JsonArray n = Http.get(base + "/api/v1/incidents/" + id).json().getJsonArray("notifications");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n.size(); i++) {
      out.add(n.getJsonObject(i).getString("status"));
    }
    return out;
  }

  static List<String> types(JsonArray timeline) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < timeline.size(); i++) {
      out.add(timeline.getJsonObject(i).getString("type"));
    }
    return out;
  }

  static void assertSeqStrictlyIncreasing(List<JsonObject> events) {
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).getLong("seq")).isGreaterThan(events.get(i - 1).getLong("seq"));
    }
  }


  /** Waits (Awaitility) until the condition holds, at most {@link #WAIT}. */
  static void eventually(BooleanSupplier condition) {
    eventually(WAIT, condition);
  }

  /** Waits (Awaitility) until the condition holds, at most {@code wait}; fails with an {@link AssertionError}. */
  static void eventually(Duration wait, BooleanSupplier condition) {
    eventually("condition", wait, condition);
  }

  /** As {@link #eventually(Duration, BooleanSupplier)}, the failure naming {@code what} was awaited. */
  static void eventually(String what, Duration wait, BooleanSupplier condition) {
    try {
      Awaitility.await(what).atMost(wait).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25))
          .until(condition::getAsBoolean);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(what + ": not met within " + wait, e);
    }
  }

  /**
   * Waits out a fault's duration (an outage that must last this long), never for something to
   * happen: that is {@link #eventually}'s.
   */
  static void holdFor(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
