package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every malformed request is refused with a fitting 4xx and a JSON error that says what is wrong
 * and where, and writes nothing: no incident, no notification, no journal event, no SMS. One node
 * per database kind serves all the cases.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputIT {
  private static final String INCIDENTS = "/api/v1/incidents";
  private static final String VALID = "{\"type\":\"mass-casualty\",\"facilityId\":\"general\",\"summary\":\"Bus crash\"}";
  private static final String UNKNOWN_UUID = "3f2b8c1e-9d4a-4e6f-8b7c-0a1d2e3f4a5b";

  private final Map<String, Env> envs = new HashMap<>();

  private record Env(TestDatabase db, TestNodes nodes, Muster node, String base) { }

  /** One malformed request and the answer it must get. {@code field} null: none required. */
  record Case(String name, Function<String, Http.Response> request, int status, String code, String field,
              String mentions) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(new Case("body is not JSON", b -> Http.postJson(b + INCIDENTS, "{type: mass-casualty"),
        400, "invalid_request", "body", "body"));
    c.add(new Case("body is a JSON array", b -> Http.postJson(b + INCIDENTS, "[" + VALID + "]"),
        400, "invalid_request", null, "object"));
    c.add(new Case("type is missing", b -> trigger(b, without(VALID, "type")), 400, "invalid_request", "type", "type"));
    c.add(new Case("facilityId is missing", b -> trigger(b, without(VALID, "facilityId")),
        400, "invalid_request", "facilityId", "facilityId"));
    c.add(new Case("summary is missing", b -> trigger(b, without(VALID, "summary")),
        400, "invalid_request", "summary", "summary"));
    c.add(new Case("summary is a number", b -> trigger(b, with("summary", 5)), 400, "invalid_request", "summary", null));
    c.add(new Case("drill is a string", b -> trigger(b, with("drill", "yes")), 400, "invalid_request", "drill", null));
    c.add(new Case("an unknown extra field", b -> trigger(b, with("color", "red")), 400, "invalid_request", "color", null));
    c.add(new Case("summary is empty", b -> trigger(b, with("summary", "")), 400, "invalid_request", "summary", null));
    c.add(new Case("summary is only blanks", b -> trigger(b, with("summary", "   ")),
        400, "invalid_request", "summary", null));
    c.add(new Case("summary is 501 characters", b -> trigger(b, with("summary", "x".repeat(501))),
        400, "invalid_request", "summary", null));
    c.add(new Case("severity is not a severity", b -> trigger(b, with("severity", "apocalyptic")),
        400, "invalid_request", "severity", null));
    c.add(new Case("unknown incident type", b -> trigger(b, with("type", "volcano")),
        422, "unknown_reference", "type", "volcano"));
    c.add(new Case("unknown facility", b -> trigger(b, with("facilityId", "mars-base")),
        422, "unknown_reference", "facilityId", "mars-base"));
    c.add(new Case("body over 64 KiB", b -> trigger(b, with("summary", "x".repeat(70_000))),
        413, "payload_too_large", null, null));
    c.add(new Case("text/plain body", b -> Http.post(b + INCIDENTS, "text/plain", VALID),
        415, "unsupported_media_type", "Content-Type", "text/plain"));
    c.add(new Case("form-urlencoded body", b -> Http.post(b + INCIDENTS, "application/x-www-form-urlencoded",
        "type=mass-casualty&facilityId=general&summary=Bus+crash"),
        415, "unsupported_media_type", "Content-Type", "x-www-form-urlencoded"));
    c.add(new Case("JSON declared in another charset", b -> Http.post(b + INCIDENTS, "application/json; charset=utf-16", VALID),
        415, "unsupported_media_type", "Content-Type", "utf-16"));
    c.add(new Case("no body, no content type", b -> Http.post(b + INCIDENTS, null, ""),
        400, "invalid_request", "body", "body"));
    c.add(new Case("empty JSON body", b -> Http.postJson(b + INCIDENTS, ""), 400, "invalid_request", "body", "body"));
    c.add(new Case("Idempotency-Key of 201 characters",
        b -> Http.postJson(b + INCIDENTS, VALID, "Idempotency-Key", "k".repeat(201)),
        400, "invalid_request", "Idempotency-Key", null));
    c.add(new Case("GET an unknown incident (uuid)", b -> Http.get(b + INCIDENTS + "/" + UNKNOWN_UUID),
        404, "not_found", "id", UNKNOWN_UUID));
    c.add(new Case("GET an unknown incident (junk id)", b -> Http.get(b + INCIDENTS + "/no-such-thing"),
        404, "not_found", "id", "no-such-thing"));
    c.add(new Case("resolve an unknown incident (uuid)",
        b -> Http.post(b + INCIDENTS + "/" + UNKNOWN_UUID + "/resolve", null, ""), 404, "not_found", "id", UNKNOWN_UUID));
    c.add(new Case("resolve an unknown incident (junk id)",
        b -> Http.post(b + INCIDENTS + "/no-such-thing/resolve", null, ""), 404, "not_found", "id", "no-such-thing"));
    c.add(new Case("unknown path", b -> Http.get(b + "/api/v1/nothing-here"), 404, "not_found", null, "/api/v1/nothing-here"));
    c.add(new Case("DELETE on the incident list",
        b -> Http.send(HttpRequest.newBuilder(URI.create(b + INCIDENTS)).DELETE()), 405, "method_not_allowed", null, "DELETE"));
    c.add(new Case("/ws/live?since=abc", b -> Http.get(b + "/ws/live?since=abc"), 400, "invalid_request", "since", "since"));
    c.add(new Case("list with status=bogus", b -> Http.get(b + INCIDENTS + "?status=bogus"),
        400, "invalid_request", "status", null));
    return c;
  }

  static Stream<Arguments> kindsAndCases() {
    return Stream.of("h2", "postgres").flatMap(kind -> cases().stream().map(c -> Arguments.of(kind, c)));
  }

  @ParameterizedTest(name = "on {0}: {1}")
  @MethodSource("kindsAndCases")
  @Order(1)
  @DisplayName("a malformed request gets a fitting 4xx, a JSON error naming what is wrong, and writes nothing")
  void refusedAndNothingWritten(String kind, Case c) {
    Env env = env(kind);
    Http.Response r = Refusal.writesNothing("incident, notification, journal rows and SMS sent",
        () -> List.of(counts(env), (long) env.nodes().simulator.createCount()), () -> c.request().apply(env.base()));
    Refusal.assertError(r, c.status(), c.code(), c.field(), c.mentions());
  }

  /** Shows the counting itself works: the same node accepts and records a well-formed request. */
  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @Order(2)
  @DisplayName("control: a well-formed trigger to the same node is accepted and written")
  void wellFormedIsWritten(String kind) {
    Env env = env(kind);
    List<Long> before = counts(env);
    Http.Response r = Http.postJson(env.base() + INCIDENTS, VALID);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    List<Long> after = counts(env);
    assertThat(after.get(0)).isEqualTo(before.get(0) + 1);
    assertThat(after.get(1)).isGreaterThan(before.get(1));
    assertThat(after.get(2)).isGreaterThan(before.get(2));
  }

  @AfterAll
  void tearDown() {
    for (Env env : envs.values()) {
      env.nodes().close();
      env.db().close();
    }
  }

  private Env env(String kind) {
    Env env = envs.get(kind);
    if (env == null) {
      TestDatabase db = TestDatabase.create(kind);
      TestNodes nodes = new TestNodes(db);
      Muster node = nodes.start();
      env = new Env(db, nodes, node, TestNodes.baseUrl(node));
      envs.put(kind, env);
    }
    return env;
  }

  private static List<Long> counts(Env env) {
    return List.of(env.db().count("SELECT COUNT(*) FROM incident"),
        env.db().count("SELECT COUNT(*) FROM notification"),
        env.db().count("SELECT COUNT(*) FROM journal"));
  }

  /** See {@link Refusal#assertError}; kept for the tests that call it here. */
  static void assertError(Http.Response r, int status, String code, String field, String mentions) {
    Refusal.assertError(r, status, code, field, mentions);
  }

  private static Http.Response trigger(String base, String body) {
    return Http.postJson(base + INCIDENTS, body);
  }

  private static String without(String json, String field) {
    JsonObject o = new JsonObject(json);
    o.remove(field);
    return o.encode();
  }

  private static String with(String field, Object value) {
    return new JsonObject(VALID).put(field, value).encode();
  }
}
