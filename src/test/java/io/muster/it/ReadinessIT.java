package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Facility readiness end to end, on H2 and on PostgreSQL, over real HTTP and the live websocket:
 * accepted partial updates, refused updates that change nothing, rollcall answers that staff
 * beds once their ETA has come, thresholds that start exactly one incident (on a write, and on a
 * rollcall answer that changes the staffed beds), a playbook readiness step, and the region list.
 * One node per database kind serves every test (the rollcall threshold has a node of its own, whose
 * configuration adds a rule); each scenario has its own facility in {@code it/readiness-it/roster.yaml},
 * so the tests never touch each other's board.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadinessIT {
  private static final String FIXTURES = "src/test/resources/it/readiness-it/";
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final List<String> FACILITIES = List.of("general", "westside", "riverside", "harbor", "northgate",
      "lakeside", "eastside-clinic", "summit-care");
  /** Where refused updates are tried, and what it holds before each of them. */
  private static final String REFUSED_AT = "general";
  private static final String GENERAL_STATE = "{\"beds\":{\"adult-icu\":{\"baseline\":20,\"occupied\":12,\"nurses\":8}},"
      + "\"edStatus\":\"normal\",\"systems\":{\"power\":{\"state\":\"up\"}}}";
  /** A facility whose supplies a test bumps to mark a point in the event stream. */
  private static final String SENTINEL_AT = "eastside-clinic";
  private static final String LENA = "+16175550105";
  private static final String SAM = "+16175550106";
  private static final String OMAR = "+16175550108";
  /** Who the API records as the sender of the tests' requests: the node's signed-in test administrator. */
  private static final String ADMIN = "user:" + TestNodes.ADMIN_USER;

  private final Map<String, Env> envs = new HashMap<>();
  private final AtomicLong sentinel = new AtomicLong();

  private record Env(TestDatabase db, TestNodes nodes, Muster node, String base) { }

  // ---- accepted updates

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a valid partial update answers 200 with the board, GET shows it, the websocket gets readiness.updated with the changes")
  void validPartialUpdate(String kind) {
    Env env = env(kind);
    try (LiveClient live = LiveClient.connect(env.node().httpPort(), null)) {
      Instant from = Instant.now().minusSeconds(2);
      Http.Response r = patch(env, "westside", "{\"beds\":{\"adult-icu\":{\"baseline\":20,\"occupied\":18,\"nurses\":10},"
          + "\"medical-surgical\":{\"baseline\":40,\"occupied\":30}},\"edStatus\":\"advisory\","
          + "\"systems\":{\"water\":{\"state\":\"degraded\",\"note\":\"low pressure\"}},\"supplies\":{\"ppe-days\":5}}");
      Instant to = Instant.now().plusSeconds(2);
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonObject board = r.json();
      assertThat(board.getString("facilityId")).isEqualTo("westside");
      assertThat(board.getString("facilityName")).isEqualTo("Westside Community Hospital");
      assertThat(board.getString("facilityType")).isEqualTo("hospital");

      JsonObject icu = bed(board, "adult-icu");
      assertThat(icu.getInteger("baseline")).isEqualTo(20);
      assertThat(icu.getInteger("occupied")).isEqualTo(18);
      assertThat(icu.getInteger("available")).isEqualTo(2);
      assertThat(icu.getInteger("staffedAvailable")).as("10 nurses at 1:2 cover 18 patients and 2 more").isEqualTo(2);
      assertThat(icu.getInteger("nursesOnShift")).isEqualTo(10);
      assertThat(icu.getString("setBy")).isEqualTo(ADMIN);
      assertThat(Instant.parse(icu.getString("setAt"))).isBetween(from, to);
      assertThat(icu.getBoolean("overdue")).isFalse();
      JsonObject medSurg = bed(board, "medical-surgical");
      assertThat(medSurg.getInteger("available")).isEqualTo(10);
      assertThat(medSurg.getInteger("staffedAvailable")).as("nurses not reported: every available bed").isEqualTo(10);
      assertThat(board.getJsonObject("beds").fieldNames()).as("only reported bed types")
          .containsExactlyInAnyOrder("adult-icu", "medical-surgical");

      JsonObject ed = board.getJsonObject("edStatus");
      assertThat(ed.getString("value")).isEqualTo("advisory");
      assertThat(ed.getString("setBy")).isEqualTo(ADMIN);
      assertThat(Instant.parse(ed.getString("setAt"))).isBetween(from, to);
      assertThat(board.getValue("emsTraffic")).as("never reported").isNull();
      JsonObject water = board.getJsonObject("systems").getJsonObject("water");
      assertThat(water.getString("state")).isEqualTo("degraded");
      assertThat(water.getString("note")).isEqualTo("low pressure");
      assertThat(water.getString("setBy")).isEqualTo(ADMIN);
      assertThat(board.getJsonObject("supplies").getJsonObject("ppe-days").getString("value")).isEqualTo("5");
      assertThat(Instant.parse(board.getString("updatedAt"))).isBetween(from, to);

      assertThat(get(env, "westside")).as("GET shows what PATCH answered").isEqualTo(board);

      JsonObject event = readinessUpdated(live, "westside");
      assertThat(event.getString("actor")).isEqualTo(ADMIN);
      JsonObject changes = event.getJsonObject("payload").getJsonObject("changes");
      assertThat(changes.getMap()).containsOnlyKeys("beds.adult-icu.baseline", "beds.adult-icu.occupied",
          "beds.adult-icu.nurses", "beds.medical-surgical.baseline", "beds.medical-surgical.occupied", "ed-status",
          "systems.water.state", "systems.water.note", "supplies.ppe-days");
      assertThat(changes.getString("beds.adult-icu.occupied")).isEqualTo("18");
      assertThat(changes.getString("ed-status")).isEqualTo("advisory");
      assertThat(event.getJsonObject("payload").getString("by")).isEqualTo(ADMIN);
      long rows = values(env, "westside");
      assertThat(rows).isEqualTo(9);

      // a second, partial update changes one count; everything else keeps its value, who and when
      Http.Response second = patch(env, "westside", "{\"beds\":{\"adult-icu\":{\"occupied\":17}}}");
      assertThat(second.status()).as(second.body()).isEqualTo(200);
      JsonObject after = second.json();
      JsonObject icu2 = bed(after, "adult-icu");
      assertThat(icu2.getInteger("baseline")).isEqualTo(20);
      assertThat(icu2.getInteger("occupied")).isEqualTo(17);
      assertThat(icu2.getInteger("available")).isEqualTo(3);
      assertThat(icu2.getInteger("staffedAvailable")).isEqualTo(3);
      assertThat(after.getJsonObject("edStatus")).as("untouched values keep who and when").isEqualTo(ed);
      assertThat(after.getJsonObject("beds").getJsonObject("medical-surgical")).isEqualTo(medSurg);
      assertThat(after.getJsonObject("systems")).isEqualTo(board.getJsonObject("systems"));
      assertThat(get(env, "westside")).isEqualTo(after);
      JsonObject changed = readinessUpdated(live, "westside").getJsonObject("payload").getJsonObject("changes");
      assertThat(changed.getMap()).containsExactly(Map.entry("beds.adult-icu.occupied", "17"));
      assertThat(values(env, "westside")).isEqualTo(rows);

      // the same values again: accepted, nothing new to record or announce
      long journal = env.db().count("SELECT COUNT(*) FROM journal");
      int seen = live.events().size();
      Http.Response same = patch(env, "westside", "{\"beds\":{\"adult-icu\":{\"occupied\":17}}}");
      assertThat(same.status()).as(same.body()).isEqualTo(200);
      assertThat(same.json()).isEqualTo(after);
      assertThat(env.db().count("SELECT COUNT(*) FROM journal")).isEqualTo(journal);
      assertNoReadinessUpdate(env, live, "westside", seen);
      assertThat(incidents(env, "westside")).as("no threshold holds at westside").isZero();
    }
  }

  // ---- refused updates

  /** One refused request and the answer it must get. */
  record Case(String name, Function<String, Http.Response> request, int status, String code, String field,
              String mentions) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(refused("an unknown top-level field", "{\"edStatus\":\"diversion\",\"color\":\"red\"}", "color"));
    c.add(refused("an unknown bed type", "{\"beds\":{\"adult-icu\":{\"occupied\":13},\"helipad\":{\"baseline\":2}}}",
        "beds.helipad"));
    c.add(refused("an unknown count of a bed type", "{\"beds\":{\"adult-icu\":{\"free\":3}}}", "beds.adult-icu.free"));
    c.add(refused("an unknown system", "{\"systems\":{\"power\":{\"state\":\"degraded\"},\"teleporter\":{\"state\":\"down\"}}}",
        "systems.teleporter"));
    c.add(refused("a negative count", "{\"beds\":{\"adult-icu\":{\"occupied\":-1}}}", "beds.adult-icu.occupied"));
    c.add(refused("a fractional count", "{\"beds\":{\"adult-icu\":{\"nurses\":2.5}}}", "beds.adult-icu.nurses"));
    c.add(refused("a count given as text", "{\"beds\":{\"adult-icu\":{\"nurses\":\"ten\"}}}", "beds.adult-icu.nurses"));
    c.add(refused("a count over 100000", "{\"beds\":{\"adult-icu\":{\"baseline\":100001}}}", "beds.adult-icu.baseline"));
    c.add(new Case("occupied above the current baseline (20)",
        b -> patch(b, REFUSED_AT, "{\"beds\":{\"adult-icu\":{\"occupied\":21}}}"),
        400, "invalid_request", "beds.adult-icu.occupied", "20"));
    c.add(new Case("a baseline lowered below the current occupied (12)",
        b -> patch(b, REFUSED_AT, "{\"beds\":{\"adult-icu\":{\"baseline\":10}}}"),
        400, "invalid_request", "beds.adult-icu.occupied", "12"));
    c.add(refused("a valid ED status with occupied above baseline",
        "{\"edStatus\":\"diversion\",\"beds\":{\"adult-icu\":{\"occupied\":25,\"nurses\":9}}}", "beds.adult-icu.occupied"));
    c.add(refused("occupied beds of a type with no baseline", "{\"beds\":{\"burn\":{\"occupied\":1}}}",
        "beds.burn.occupied"));
    c.add(refused("a bad edStatus", "{\"edStatus\":\"swamped\"}", "edStatus"));
    c.add(refused("a null edStatus", "{\"edStatus\":null}", "edStatus"));
    c.add(refused("a bad emsTraffic", "{\"emsTraffic\":\"diversion\"}", "emsTraffic"));
    c.add(refused("a bad system state", "{\"systems\":{\"power\":{\"state\":\"off\"}}}", "systems.power.state"));
    c.add(refused("a system note over 200 characters",
        "{\"systems\":{\"power\":{\"note\":\"" + "x".repeat(201) + "\"}}}", "systems.power.note"));
    c.add(refused("a negative supply", "{\"supplies\":{\"ppe-days\":-1}}", "supplies.ppe-days"));
    c.add(refused("an empty body {}", "{}", "body"));
    c.add(refused("an empty beds object", "{\"beds\":{}}", "beds"));
    c.add(refused("a body that is not JSON", "{beds: 1", "body"));
    c.add(new Case("a JSON array body", b -> patch(b, REFUSED_AT, "[" + GENERAL_STATE + "]"),
        400, "invalid_request", null, null));
    c.add(new Case("a text/plain body", b -> Http.send(HttpRequest.newBuilder(URI.create(url(b, REFUSED_AT)))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"edStatus\":\"closed\"}")).header("content-type", "text/plain")),
        415, "unsupported_media_type", "Content-Type", null));
    c.add(new Case("an unknown facility", b -> patch(b, "mars-base", "{\"edStatus\":\"closed\"}"),
        404, "not_found", "id", "mars-base"));
    c.add(new Case("GET of an unknown facility", b -> Http.get(url(b, "mars-base")), 404, "not_found", "id", "mars-base"));
    return c;
  }

  private static Case refused(String name, String body, String field) {
    return new Case(name, b -> patch(b, REFUSED_AT, body), 400, "invalid_request", field, null);
  }

  static Stream<Arguments> kindsAndCases() {
    return Stream.of("h2", "postgres").flatMap(kind -> cases().stream().map(c -> Arguments.of(kind, c)));
  }

  @ParameterizedTest(name = "on {0}: {1}")
  @MethodSource("kindsAndCases")
  @DisplayName("a bad update is refused with a 4xx JSON error naming the field, and changes nothing")
  void refusedChangesNothing(String kind, Case c) {
    Env env = env(kind);
    Http.Response reset = patch(env, REFUSED_AT, GENERAL_STATE);
    assertThat(reset.status()).as("resetting %s: %s", REFUSED_AT, reset.body()).isEqualTo(200);
    try (LiveClient live = LiveClient.connect(env.node().httpPort(), null)) {
      JsonObject before = get(env, REFUSED_AT);
      assertThat(bed(before, "adult-icu").getInteger("baseline")).as("the state the cases assume").isEqualTo(20);

      Http.Response r = Refusal.writesNothing("the board of " + REFUSED_AT + ", readiness values (" + REFUSED_AT
              + ", all), journal, incidents, thresholds held", () -> List.of(get(env, REFUSED_AT), counts(env)),
          () -> c.request().apply(env.base()));

      Refusal.assertError(r, c.status(), c.code(), c.field(), c.mentions());
      assertNoReadinessUpdate(env, live, null, 0);
    }
  }

  // ---- rollcall staffing

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a rollcall yes staffs medical-surgical beds once its ETA has come; a changed answer takes it back")
  void rollcallStaffsBeds(String kind) {
    Env env = env(kind);
    // 2 nurses at 1:5 cover exactly the 10 patients: no free bed is staffed
    assertThat(patch(env, "riverside", "{\"beds\":{\"medical-surgical\":{\"baseline\":30,\"occupied\":10,\"nurses\":2}}}")
        .status()).isEqualTo(200);
    JsonObject start = bed(get(env, "riverside"), "medical-surgical");
    assertThat(start.getInteger("available")).isEqualTo(20);
    assertThat(start.getInteger("staffedAvailable")).isZero();

    JsonObject incident = trigger(env, "nurse-callout", "riverside", "Flu wave: the medical floors are short");
    String ref = incident.getString("ref");
    eventually(() -> asks(env, LENA, ref) == 1 && asks(env, SAM, ref) == 1);
    assertThat(env.nodes().simulator.messagesTo(LENA).get(0).body()).contains("1 = Yes, here now");
    JsonObject asked = bed(get(env, "riverside"), "medical-surgical");
    assertThat(asked.getInteger("nursesArrived")).isZero();
    assertThat(asked.getInteger("nursesExpected")).isZero();
    assertThat(asked.getInteger("staffedAvailable")).isZero();

    reply(env, LENA, "1"); // here now: ETA 0m
    eventually(() -> bed(get(env, "riverside"), "medical-surgical").getInteger("nursesArrived") == 1);
    JsonObject one = bed(get(env, "riverside"), "medical-surgical");
    assertThat(one.getInteger("nursesOnShift")).isEqualTo(2);
    assertThat(one.getInteger("nursesExpected")).isZero();
    assertThat(one.getInteger("staffedAvailable")).as("3 nurses at 1:5 cover 15: 5 free beds").isEqualTo(5);

    reply(env, SAM, "2"); // within 2 hours: expected, not yet staffing
    eventually(() -> bed(get(env, "riverside"), "medical-surgical").getInteger("nursesExpected") == 1);
    JsonObject expected = bed(get(env, "riverside"), "medical-surgical");
    assertThat(expected.getInteger("nursesArrived")).isEqualTo(1);
    assertThat(expected.getInteger("staffedAvailable")).as("a nurse still on the way staffs nothing yet").isEqualTo(5);

    reply(env, LENA, "3"); // changed her mind
    eventually(() -> bed(get(env, "riverside"), "medical-surgical").getInteger("nursesArrived") == 0);
    JsonObject back = bed(get(env, "riverside"), "medical-surgical");
    assertThat(back.getInteger("nursesExpected")).isEqualTo(1);
    assertThat(back.getInteger("staffedAvailable")).isZero();

    // the region sees the staffing too
    JsonObject summary = summary(env, "riverside");
    assertThat(summary.getJsonObject("staffedAvailableByType").getInteger("medical-surgical")).isZero();
    reply(env, LENA, "1");
    eventually(() -> summary(env, "riverside").getJsonObject("staffedAvailableByType").getInteger("medical-surgical") == 5);
  }

  // ---- thresholds

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a changed rollcall answer that leaves no medical-surgical bed staffed starts one surge, in the answer's"
      + " transaction; answers that release and hold it again while it is active start no second")
  void rollcallAnswerCrossesAThreshold(String kind) {
    Env env = rollcallThresholdEnv(kind);
    try (LiveClient live = LiveClient.connect(env.node().httpPort(), null)) {
      String ref = trigger(env, "nurse-callout", "riverside", "Flu wave: the medical floors are short").getString("ref");
      eventually(() -> asks(env, LENA, ref) == 1);
      reply(env, LENA, "1"); // here now
      eventually(() -> bed(get(env, "riverside"), "medical-surgical").getInteger("nursesArrived") == 1);
      // 2 nurses on shift and Lena cover 15 patients: 5 free beds are staffed
      Http.Response r = patch(env, "riverside",
          "{\"beds\":{\"medical-surgical\":{\"baseline\":30,\"occupied\":10,\"nurses\":2}}}");
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      assertThat(bed(r.json(), "medical-surgical").getInteger("staffedAvailable")).isEqualTo(5);
      assertThat(surges(env, "riverside")).isZero();

      reply(env, LENA, "3"); // changed her mind: no free bed has a nurse any more
      JsonObject triggered = live.awaitEvent(e -> "incident.triggered".equals(e.getString("type"))
          && "surge-capacity".equals(incidentOf(e).getString("type")), WAIT);
      JsonObject surge = incidentOf(triggered);
      assertThat(surge.getString("facilityId")).isEqualTo("riverside");
      assertThat(surge.getString("summary")).contains("Staffed medical-surgical beds at 0");
      assertThat(triggered.getString("actor")).isEqualTo("readiness:medical-surgical<=0->surge-capacity");
      assertThat(surges(env, "riverside")).isEqualTo(1);
      assertThat(bed(get(env, "riverside"), "medical-surgical").getInteger("staffedAvailable")).isZero();
      // the crossing is committed with the answer (one transaction's time); the incident follows it
      List<JsonObject> events = live.events();
      JsonObject crossed = events.stream().filter(e -> "readiness.threshold-crossed".equals(e.getString("type"))
          && e.getLong("seq") < triggered.getLong("seq")).reduce((a, b) -> b).orElseThrow();
      assertThat(crossed.getString("actor")).isEqualTo("sms:lena-fischer");
      JsonObject answered = events.stream().filter(e -> "rollcall.answered".equals(e.getString("type"))
          && e.getLong("seq") < crossed.getLong("seq")).reduce((a, b) -> b).orElseThrow();
      assertThat(answered.getJsonObject("payload").getString("staffId")).isEqualTo("lena-fischer");
      List<JsonObject> between = events.stream().filter(e -> e.getLong("seq") >= answered.getLong("seq")
          && e.getLong("seq") <= crossed.getLong("seq")).toList();
      assertThat(between).extracting(e -> e.getString("at")).as("one transaction's time").containsOnly(answered.getString("at"));

      reply(env, LENA, "1"); // back: the rule no longer holds
      eventually(() -> bed(get(env, "riverside"), "medical-surgical").getInteger("staffedAvailable") == 5);
      reply(env, LENA, "3"); // gone again while the surge is active
      eventually(() -> bed(get(env, "riverside"), "medical-surgical").getInteger("staffedAvailable") == 0);
      flush(env, live);
      assertThat(live.events()).filteredOn(e -> "readiness.threshold-crossed".equals(e.getString("type")))
          .as("the rule started to hold twice").hasSize(2);
      assertThat(live.events()).filteredOn(e -> "incident.triggered".equals(e.getString("type"))
          && "surge-capacity".equals(incidentOf(e).getString("type"))).as("surges started").hasSize(1);
      assertThat(surges(env, "riverside")).isEqualTo(1);
    }
  }


  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("power down starts one power-outage incident, however many updates say so, until it is resolved")
  void powerDownStartsOneIncident(String kind) throws Exception {
    Env env = env(kind);
    try (LiveClient live = LiveClient.connect(env.node().httpPort(), null)) {
      assertThat(patch(env, "harbor", "{\"systems\":{\"power\":{\"state\":\"up\"}},\"edStatus\":\"normal\"}").status())
          .isEqualTo(200);
      assertThat(incidents(env, "harbor")).isZero();

      // six reports of the outage at once
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        List<Callable<Http.Response>> calls = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          String body = "{\"systems\":{\"power\":{\"state\":\"down\",\"note\":\"report " + i + "\"}}}";
          calls.add(() -> patch(env, "harbor", body));
        }
        for (Future<Http.Response> f : pool.invokeAll(calls)) {
          assertThat(f.get().status()).as(f.get().body()).isEqualTo(200);
        }
      } finally {
        pool.shutdownNow();
      }
      JsonObject triggered = live.awaitEvent(e -> "incident.triggered".equals(e.getString("type"))
          && "harbor".equals(incidentOf(e).getString("facilityId")), WAIT);
      JsonObject incident = incidentOf(triggered);
      assertThat(incident.getString("type")).isEqualTo("power-outage");
      assertThat(incident.getString("status")).isEqualTo("active");
      assertThat(incident.getString("summary")).containsIgnoringCase("power");
      assertThat(triggered.getString("actor")).startsWith("readiness:");
      assertThat(incidents(env, "harbor")).as("incidents at harbor after six reports of the outage").isEqualTo(1);
      String id = incident.getString("id");
      assertThat(Http.get(env.base() + "/api/v1/incidents/" + id).json().getString("type")).isEqualTo("power-outage");
      eventually(() -> pagesTo(env, OMAR, "POWER OUTAGE") == 1);

      // still down: a further report starts nothing
      assertThat(patch(env, "harbor", "{\"systems\":{\"power\":{\"note\":\"generator 2 failed too\"}}}").status())
          .isEqualTo(200);
      thresholdsHandled(env);
      assertThat(incidents(env, "harbor")).as("after a further report while down").isEqualTo(1);

      // back up, then down again while the first incident is active: still one
      assertThat(patch(env, "harbor", "{\"systems\":{\"power\":{\"state\":\"up\"}}}").status()).isEqualTo(200);
      assertThat(patch(env, "harbor", "{\"systems\":{\"power\":{\"state\":\"down\"}}}").status()).isEqualTo(200);
      thresholdsHandled(env);
      assertThat(incidents(env, "harbor")).as("after up and down again while the first is active").isEqualTo(1);
      flush(env, live); // every event so far has arrived
      assertThat(live.events().stream().filter(e -> "incident.triggered".equals(e.getString("type")))
          .filter(e -> "harbor".equals(incidentOf(e).getString("facilityId")))).hasSize(1);
      env.nodes().awaitOutboxDrained();   // a second incident's pages would have been sent by now
      assertThat(pagesTo(env, OMAR, "POWER OUTAGE")).as("pages of a single incident").isEqualTo(1);

      // once the incident is resolved, the next outage is a new incident
      assertThat(Http.post(env.base() + "/api/v1/incidents/" + id + "/resolve", null, "").status()).isEqualTo(200);
      assertThat(patch(env, "harbor", "{\"systems\":{\"power\":{\"state\":\"up\"}}}").status()).isEqualTo(200);
      assertThat(patch(env, "harbor", "{\"systems\":{\"power\":{\"state\":\"down\"}}}").status()).isEqualTo(200);
      thresholdsHandled(env);
      assertThat(incidents(env, "harbor")).as("after the first was resolved").isEqualTo(2);
      assertThat(env.db().count("SELECT COUNT(*) FROM incident WHERE facility_id = 'harbor' AND status = 'active'"))
          .isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("staffed adult ICU beds falling to 0 start one surge-capacity incident; holding, releasing and holding again start no second")
  void noStaffedIcuBedStartsOneSurge(String kind) {
    Env env = env(kind);
    // 5 nurses at 1:2 cover 8 patients and 2 more
    Http.Response ok = patch(env, "northgate", "{\"beds\":{\"adult-icu\":{\"baseline\":10,\"occupied\":8,\"nurses\":5}}}");
    assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    assertThat(bed(ok.json(), "adult-icu").getInteger("staffedAvailable")).isEqualTo(2);
    assertThat(incidents(env, "northgate")).isZero();

    Http.Response low = patch(env, "northgate", "{\"beds\":{\"adult-icu\":{\"nurses\":4}}}");
    assertThat(low.status()).as(low.body()).isEqualTo(200);
    assertThat(bed(low.json(), "adult-icu").getInteger("staffedAvailable")).isZero();
    thresholdsHandled(env);
    assertThat(incidents(env, "northgate")).as("after staffed adult ICU fell to 0").isEqualTo(1);
    assertThat(env.db().count("SELECT COUNT(*) FROM incident WHERE facility_id = 'northgate'"
        + " AND incident_type = 'surge-capacity' AND status = 'active'")).isEqualTo(1);

    assertThat(patch(env, "northgate", "{\"beds\":{\"adult-icu\":{\"occupied\":9}}}").status()).isEqualTo(200);
    thresholdsHandled(env);
    assertThat(incidents(env, "northgate")).as("after another update while it holds").isEqualTo(1);

    Http.Response released = patch(env, "northgate", "{\"beds\":{\"adult-icu\":{\"nurses\":6}}}");
    assertThat(bed(released.json(), "adult-icu").getInteger("staffedAvailable")).isEqualTo(1);
    Http.Response again = patch(env, "northgate", "{\"beds\":{\"adult-icu\":{\"nurses\":4}}}");
    assertThat(bed(again.json(), "adult-icu").getInteger("staffedAvailable")).isZero();
    thresholdsHandled(env);
    assertThat(incidents(env, "northgate")).as("after it held again while the first is active").isEqualTo(1);
    assertThat(env.db().count("SELECT COUNT(*) FROM incident WHERE incident_type = 'surge-capacity'"))
        .as("surge incidents anywhere").isEqualTo(1);
  }

  // ---- playbook readiness step

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a playbook readiness step puts the ED on mass-casualty status, set by the playbook")
  void playbookStepSetsEdStatus(String kind) {
    Env env = env(kind);
    try (LiveClient live = LiveClient.connect(env.node().httpPort(), null)) {
      assertThat(get(env, "lakeside").getValue("edStatus")).isNull();
      Instant from = Instant.now().minusSeconds(2);
      JsonObject incident = trigger(env, "mass-casualty", "lakeside", "Bus crash on the interstate");
      JsonObject event = readinessUpdated(live, "lakeside");
      assertThat(event.getJsonObject("payload").getJsonObject("changes").getMap())
          .containsExactly(Map.entry("ed-status", "mass-casualty"));

      JsonObject ed = get(env, "lakeside").getJsonObject("edStatus");
      assertThat(ed).as("edStatus on the board").isNotNull();
      assertThat(ed.getString("value")).isEqualTo("mass-casualty");
      assertThat(Instant.parse(ed.getString("setAt"))).isBetween(from, Instant.now().plusSeconds(2));
      assertThat(ed.getString("setBy")).as("set by the playbook, not by whoever triggered the incident")
          .isEqualTo("playbook:mass-casualty");
      assertThat(summary(env, "lakeside").getString("edStatus")).isEqualTo("mass-casualty");
      assertThat(Http.get(env.base() + "/api/v1/incidents/" + incident.getString("id")).json().getString("status"))
          .isEqualTo("active");
    }
  }

  // ---- region

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("the region list has every roster facility with its summary")
  void regionListsEveryFacility(String kind) {
    Env env = env(kind);
    Http.Response p = patch(env, "eastside-clinic", "{\"beds\":{\"pediatrics\":{\"baseline\":6,\"occupied\":2,\"nurses\":1}},"
        + "\"edStatus\":\"advisory\",\"emsTraffic\":\"closed\",\"systems\":{\"ehr\":{\"state\":\"down\"},\"water\":{\"state\":\"up\"}}}");
    assertThat(p.status()).as(p.body()).isEqualTo(200);

    Http.Response r = Http.get(env.base() + "/api/v1/region/readiness");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonArray all = r.json().getJsonArray("facilities");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      ids.add(all.getJsonObject(i).getString("facilityId"));
    }
    assertThat(ids).containsExactlyInAnyOrderElementsOf(FACILITIES);

    JsonObject clinic = summary(all, "eastside-clinic");
    assertThat(clinic.getString("facilityName")).isEqualTo("Eastside Family Clinic");
    assertThat(clinic.getString("facilityType")).isEqualTo("clinic");
    assertThat(clinic.getString("edStatus")).isEqualTo("advisory");
    assertThat(clinic.getString("emsTraffic")).isEqualTo("closed");
    assertThat(clinic.getInteger("staffedAvailable")).as("1 nurse at 1:4 with 2 patients: 2 more").isEqualTo(2);
    assertThat(clinic.getJsonObject("staffedAvailableByType").getMap()).containsExactly(Map.entry("pediatrics", 2));
    assertThat(clinic.getJsonArray("systemsDown").getList()).containsExactly("ehr");
    assertThat(clinic.getString("updatedAt")).isNotNull();

    JsonObject quiet = summary(all, "summit-care");
    assertThat(quiet.getString("facilityName")).isEqualTo("Summit Care Home");
    assertThat(quiet.getString("facilityType")).isEqualTo("nursing-home");
    assertThat(quiet.getValue("edStatus")).isNull();
    assertThat(quiet.getInteger("staffedAvailable")).isZero();
    assertThat(quiet.getJsonObject("staffedAvailableByType").isEmpty()).isTrue();
    assertThat(quiet.getJsonArray("systemsDown").isEmpty()).isTrue();
    assertThat(quiet.getValue("updatedAt")).isNull();
    for (int i = 0; i < all.size(); i++) {
      JsonObject s = all.getJsonObject(i);
      assertThat(s.getString("facilityName")).as("name of %s", s.getString("facilityId")).isNotBlank();
      assertThat(s.getInteger("staffedAvailable")).as("staffed of %s", s.getString("facilityId")).isNotNull();
    }
    assertThat(Http.get(url(env.base(), "summit-care")).status()).isEqualTo(200);
  }

  // ---- helpers

  @AfterAll
  void tearDown() {
    for (Env env : envs.values()) {
      env.nodes().close();
      env.db().close();
    }
  }

  private Env env(String kind) {
    return env(kind, FIXTURES + "readiness.yaml");
  }

  /**
   * A node of its own whose thresholds also start a surge when no medical-surgical bed is staffed,
   * which the float pool's rollcall answers change.
   */
  private Env rollcallThresholdEnv(String kind) {
    Path config = Path.of("target/readiness-it/rollcall-thresholds.yaml");
    try {
      Files.createDirectories(config.getParent());
      Files.writeString(config, Files.readString(Path.of(FIXTURES + "readiness.yaml"))
          + "  - {bed: medical-surgical, staffedAvailableAtMost: 0, trigger: surge-capacity}\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return env(kind, config.toString());
  }

  private Env env(String kind, String readiness) {
    String key = kind + " " + readiness;
    Env env = envs.get(key);
    if (env == null) {
      TestDatabase db = TestDatabase.create(kind);
      TestNodes nodes = new TestNodes(db);
      Muster node = nodes.start(new JsonObject().put("files", new JsonObject()
          .put("roster", FIXTURES + "roster.yaml").put("playbooks", FIXTURES + "playbooks")
          .put("readiness", readiness)));
      env = new Env(db, nodes, node, TestNodes.baseUrl(node));
      envs.put(key, env);
      Http.Response setUp = patch(env, REFUSED_AT, GENERAL_STATE);
      assertThat(setUp.status()).as("setting up %s: %s", REFUSED_AT, setUp.body()).isEqualTo(200);
    }
    return env;
  }

  private static String url(String base, String facility) {
    return base + "/api/v1/facilities/" + facility + "/readiness";
  }

  static Http.Response patch(String base, String facility, String body) {
    return Http.send(HttpRequest.newBuilder(URI.create(url(base, facility)))
        .method("PATCH", HttpRequest.BodyPublishers.ofString(body)).header("content-type", "application/json"));
  }

  private static Http.Response patch(Env env, String facility, String body) {
    return patch(env.base(), facility, body);
  }

  private static JsonObject get(Env env, String facility) {
    Http.Response r = Http.get(url(env.base(), facility));
    assertThat(r.status()).as("GET readiness of %s: %s", facility, r.body()).isEqualTo(200);
    return r.json();
  }

  private static JsonObject bed(JsonObject board, String type) {
    JsonObject b = board.getJsonObject("beds").getJsonObject(type);
    assertThat(b).as("%s beds on %s", type, board).isNotNull();
    return b;
  }

  private static JsonObject summary(Env env, String facility) {
    return summary(Http.get(env.base() + "/api/v1/region/readiness").json().getJsonArray("facilities"), facility);
  }

  private static JsonObject summary(JsonArray all, String facility) {
    for (int i = 0; i < all.size(); i++) {
      if (facility.equals(all.getJsonObject(i).getString("facilityId"))) {
        return all.getJsonObject(i);
      }
    }
    throw new AssertionError("no summary of " + facility + " in " + all);
  }

  private static JsonObject trigger(Env env, String type, String facility, String summary) {
    return TestNodes.trigger(env.base(), type, facility, summary);
  }

  private static void reply(Env env, String phone, String body) {
    PipelineIT.reply(env.base(), env.nodes().simulator, phone, body);
  }

  private static long asks(Env env, String phone, String ref) {
    return env.nodes().simulator.messagesTo(phone).stream().filter(m -> m.body().contains("[" + ref + "]")).count();
  }

  private static long pagesTo(Env env, String phone, String text) {
    return env.nodes().simulator.messagesTo(phone).stream().filter(m -> m.body().contains(text)).count();
  }

  private static long incidents(Env env, String facility) {
    return env.db().count("SELECT COUNT(*) FROM incident WHERE facility_id = '" + facility + "'");
  }

  /**
   * Waits until the incident feature has read every readiness threshold crossed so far (its journal
   * cursor has reached the journal's head as it is now): the incidents they start are then there.
   */
  private static void thresholdsHandled(Env env) {
    long head = env.db().count("SELECT seq FROM journal_head");
    eventually(() -> env.db().count("SELECT seq FROM journal_cursor WHERE name = 'incident.thresholds'") >= head);
  }

  private static long surges(Env env, String facility) {
    return env.db().count("SELECT COUNT(*) FROM incident WHERE facility_id = '" + facility
        + "' AND incident_type = 'surge-capacity'");
  }

  private static long values(Env env, String facility) {
    return env.db().count("SELECT COUNT(*) FROM readiness_value WHERE facility_id = '" + facility + "'");
  }

  private static List<Long> counts(Env env) {
    return List.of(values(env, REFUSED_AT), env.db().count("SELECT COUNT(*) FROM readiness_value"),
        env.db().count("SELECT COUNT(*) FROM journal"), env.db().count("SELECT COUNT(*) FROM incident"),
        env.db().count("SELECT COUNT(*) FROM readiness_threshold"));
  }

  private static JsonObject incidentOf(JsonObject event) {
    JsonObject i = event.getJsonObject("payload").getJsonObject("incident");
    return i == null ? new JsonObject() : i;
  }

  private static JsonObject readinessUpdated(LiveClient live, String facility) {
    return live.awaitEvent(e -> "readiness.updated".equals(e.getString("type"))
        && facility.equals(e.getJsonObject("payload").getString("facilityId")), WAIT);
  }

  /**
   * Bumps a supply at the sentinel facility and waits for its event: the stream is in journal
   * order, so every event written before it has arrived by then.
   */
  private void flush(Env env, LiveClient live) {
    String mark = Long.toString(sentinel.incrementAndGet());
    Http.Response r = patch(env, SENTINEL_AT, "{\"supplies\":{\"sentinel\":" + mark + "}}");
    assertThat(r.status()).as("sentinel update: %s", r.body()).isEqualTo(200);
    live.awaitEvent(e -> "readiness.updated".equals(e.getString("type"))
        && mark.equals(e.getJsonObject("payload").getJsonObject("changes").getString("supplies.sentinel")), WAIT);
  }

  /**
   * Asserts no readiness.updated of {@code facility} (null: of any but the sentinel) has been
   * written since the live client's {@code from}th event.
   */
  private void assertNoReadinessUpdate(Env env, LiveClient live, String facility, int from) {
    flush(env, live);
    List<JsonObject> events = live.events();
    assertThat(events.subList(from, events.size()).stream().filter(e -> "readiness.updated".equals(e.getString("type")))
        .map(e -> e.getJsonObject("payload").getString("facilityId"))
        .filter(f -> facility == null ? !SENTINEL_AT.equals(f) : facility.equals(f)))
        .as("readiness.updated events that must not exist").isEmpty();
  }

  static void assertError(Http.Response r, int status, String code, String field, String mentions) {
    Refusal.assertError(r, status, code, field, mentions);
  }

  private static void eventually(BooleanSupplier condition) {
    PipelineIT.eventually(WAIT, condition);
  }
}
