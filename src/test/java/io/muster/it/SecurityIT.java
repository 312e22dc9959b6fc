package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.app.Muster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The security suite over real HTTP and websockets: who may call what (401, 403, 404 across
 * facilities), what a token must be (algorithm, expiry, issuer, audience, signature), websocket
 * tickets and origins, machine keys, rate limits and the headers every answer carries.
 */
class SecurityIT {
  private static final String GENERAL = "general";
  private static final String CLINIC = "eastside-clinic";
  private static final String EHR_AT_GENERAL =
      "{\"type\":\"ehr-downtime\",\"facilityId\":\"general\",\"summary\":\"EHR down in the ED\"}";

  private TestDatabase db;
  private TestNodes nodes;
  private Muster node;
  private String base;

  @BeforeEach
  void start() {
    db = TestDatabase.h2();
    nodes = new TestNodes(db);
    node = nodes.start();
    base = TestNodes.baseUrl(node);
  }

  @AfterEach
  void stop() {
    nodes.close();
    db.close();
  }

  private String user(String name, String role, String... facilities) {
    Http.Response r = Http.postJson(base + "/api/v1/users", new JsonObject().put("username", name)
        .put("password", "password-of-" + name).put("role", role).put("facilities", new JsonArray(java.util.List.of(facilities)))
        .encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return TestNodes.login(base, name, "password-of-" + name);
  }

  private static Http.Response as(String token, HttpRequest.Builder request) {
    return Http.send(request.header("Authorization", "Bearer " + token));
  }

  private HttpRequest.Builder get(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).GET();
  }

  private HttpRequest.Builder post(String path, String body) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static void assertError(Http.Response r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().getJsonObject("error").getString("code")).isEqualTo(code);
    assertThat(r.json().getJsonObject("error").getString("message")).isNotBlank();
  }

  @Test
  @DisplayName("no token: 401 with WWW-Authenticate on every protected operation, and nothing is written")
  void noToken() {
    long head = db.count("SELECT seq FROM journal_head");
    for (HttpRequest.Builder request : java.util.List.of(get("/api/v1/incidents"), post("/api/v1/incidents", EHR_AT_GENERAL),
        get("/api/v1/region/readiness"), post("/api/v1/auth/ws-ticket", ""), get("/api/v1/users"))) {
      Http.Response r = Http.anonymous(request);
      assertError(r, 401, "unauthorized");
      assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }
    assertThat(db.count("SELECT seq FROM journal_head")).isEqualTo(head);
    assertThat(db.count("SELECT COUNT(*) FROM incident")).isZero();
  }

  @Test
  @DisplayName("a signed-in user trades a token for a fresh one carrying the role as it is now; a machine key cannot")
  void refresh() {
    String token = user("rita", "viewer", GENERAL);
    Http.Response fresh = as(token, post("/api/v1/auth/refresh", ""));
    assertThat(fresh.status()).as(fresh.body()).isEqualTo(200);
    assertThat(fresh.json().getJsonObject("user").getString("username")).isEqualTo("rita");
    assertThat(as(fresh.json().getString("accessToken"), get("/api/v1/auth/me")).json().getString("role")).isEqualTo("viewer");
    String key = Http.postJson(base + "/api/v1/api-keys", "{\"name\":\"feed\",\"role\":\"viewer\",\"facilities\":[\"*\"]}")
        .json().getString("key");
    assertError(Http.send(post("/api/v1/auth/refresh", "").header("X-API-Key", key)), 403, "forbidden");
  }

  @Test
  @DisplayName("a wrong password is refused with 401 and gives no token; the right one signs in")
  void login() {
    Http.Response wrong = Http.postJson(base + "/api/v1/auth/login",
        new JsonObject().put("username", "admin").put("password", "not-the-password").encode());
    assertError(wrong, 401, "unauthorized");
    assertThat(wrong.body()).doesNotContain("accessToken");
    Http.Response unknown = Http.postJson(base + "/api/v1/auth/login",
        new JsonObject().put("username", "nobody").put("password", "whatever-it-is").encode());
    assertThat(unknown.body()).isEqualTo(wrong.body());
    Http.Response right = Http.postJson(base + "/api/v1/auth/login",
        new JsonObject().put("username", TestNodes.ADMIN_USER).put("password", TestNodes.ADMIN_PASSWORD).encode());
    assertThat(right.status()).isEqualTo(200);
    assertThat(right.json().getJsonObject("user").getString("role")).isEqualTo("admin");
    assertThat(right.json().getInteger("expiresIn")).isEqualTo(120 * 60);
  }

  @Test
  @DisplayName("roles: a viewer cannot trigger (403), a coordinator updates readiness but cannot trigger, a commander triggers")
  void roles() {
    String viewer = user("vera", "viewer", "*");
    String coordinator = user("cole", "coordinator", "*");
    String commander = user("cora", "commander", "*");
    assertError(as(viewer, post("/api/v1/incidents", EHR_AT_GENERAL)), 403, "forbidden");
    assertError(as(viewer, HttpRequest.newBuilder(URI.create(base + "/api/v1/facilities/general/readiness"))
        .header("content-type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"edStatus\":\"advisory\"}"))),
        403, "forbidden");
    assertError(as(coordinator, post("/api/v1/incidents", EHR_AT_GENERAL)), 403, "forbidden");
    assertError(as(commander, get("/api/v1/users")), 403, "forbidden");
    assertThat(db.count("SELECT COUNT(*) FROM incident")).isZero();

    assertThat(as(coordinator, HttpRequest.newBuilder(URI.create(base + "/api/v1/facilities/general/readiness"))
        .header("content-type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"edStatus\":\"advisory\"}")))
        .status()).isEqualTo(200);
    Http.Response triggered = as(commander, post("/api/v1/incidents", EHR_AT_GENERAL));
    assertThat(triggered.status()).isEqualTo(201);
    assertThat(triggered.json().getString("triggeredBy")).isEqualTo("user:cora");
    assertThat(as(viewer, get("/api/v1/incidents/" + triggered.json().getString("id"))).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("a user of one facility cannot see or act on another's incidents or readiness: 404, as if they did not exist")
  void facilities() {
    String general = user("gina", "commander", GENERAL);
    String clinic = user("carl", "commander", CLINIC);
    Http.Response created = as(general, post("/api/v1/incidents", EHR_AT_GENERAL));
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");

    Http.Response seen = as(clinic, get("/api/v1/incidents/" + id));
    Http.Response missing = as(clinic, get("/api/v1/incidents/00000000-0000-0000-0000-000000000000"));
    assertError(seen, 404, "not_found");
    assertThat(seen.json().getJsonObject("error").getString("message")).startsWith("no incident");
    assertThat(missing.status()).isEqualTo(404);
    assertError(as(clinic, post("/api/v1/incidents/" + id + "/resolve", "")), 404, "not_found");
    assertThat(as(clinic, get("/api/v1/incidents")).json().getJsonArray("incidents")).isEmpty();
    assertThat(as(general, get("/api/v1/incidents")).json().getJsonArray("incidents")).hasSize(1);
    assertError(as(clinic, get("/api/v1/facilities/general/readiness")), 404, "not_found");
    assertError(as(clinic, get("/api/v1/facilities/general/have")), 404, "not_found");
    Http.Response elsewhere = as(clinic, post("/api/v1/incidents", EHR_AT_GENERAL));
    Http.Response nowhere = as(clinic, post("/api/v1/incidents", EHR_AT_GENERAL.replace("general", "no-such-place")));
    assertThat(elsewhere.status()).isEqualTo(422);
    assertThat(elsewhere.json().getJsonObject("error").getString("message"))
        .isEqualTo(nowhere.json().getJsonObject("error").getString("message").replace("no-such-place", "general"));
    assertThat(as(clinic, get("/api/v1/region/readiness")).json().getJsonArray("facilities").stream()
        .map(f -> ((JsonObject) f).getString("facilityId")).toList()).containsExactly(CLINIC);
    assertThat(db.count("SELECT COUNT(*) FROM incident WHERE status = 'active'")).isEqualTo(1);
  }

  @Test
  @DisplayName("tokens: alg=none, another algorithm, expired, wrong issuer, wrong audience, a forged signature, an"
      + " unknown user, an old token version or a malformed claim are all 401, never 500")
  void tokens() {
    long now = Instant.now().getEpochSecond();
    adminId = Http.get(base + "/api/v1/auth/me").json().getString("id");
    JsonObject good = claims(now);
    assertThat(as(jwt("HS256", good, nodes.jwtSecret()), get("/api/v1/auth/me")).status()).isEqualTo(200);
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(good.encode()) + ".";
    assertError(as(none, get("/api/v1/auth/me")), 401, "unauthorized");
    assertError(as(jwt("HS512", good, nodes.jwtSecret()), get("/api/v1/auth/me")), 401, "unauthorized");
    assertError(as(jwt("HS256", claims(now).put("exp", now - 60).put("iat", now - 3600), nodes.jwtSecret()),
        get("/api/v1/auth/me")), 401, "unauthorized");
    assertError(as(jwt("HS256", claims(now).put("iss", "someone-else"), nodes.jwtSecret()), get("/api/v1/auth/me")),
        401, "unauthorized");
    assertError(as(jwt("HS256", claims(now).put("aud", "another-api"), nodes.jwtSecret()), get("/api/v1/auth/me")),
        401, "unauthorized");
    assertError(as(jwt("HS256", claimsWithoutExp(now), nodes.jwtSecret()),
        get("/api/v1/auth/me")), 401, "unauthorized");
    assertError(as(jwt("HS256", good, "a-guessed-secret-that-is-long-enough-123"), get("/api/v1/auth/me")),
        401, "unauthorized");
    assertError(Http.send(get("/api/v1/auth/me").header("Authorization", "Basic YWRtaW46YWRtaW4=")), 401, "unauthorized");
    // Signed with the right secret, but for nobody, or for an older state of the user.
    assertError(as(jwt("HS256", claims(now).put("sub", "00000000-0000-0000-0000-000000000000"), nodes.jwtSecret()),
        get("/api/v1/auth/me")), 401, "unauthorized");
    assertError(as(jwt("HS256", claims(now).put("ver", 7), nodes.jwtSecret()), get("/api/v1/auth/me")), 401, "unauthorized");
    for (JsonObject malformed : java.util.List.of(claims(now).put("exp", "tomorrow"), claims(now).put("ver", "0"),
        claims(now).put("sub", 42))) {
      assertError(as(jwt("HS256", malformed, nodes.jwtSecret()), get("/api/v1/auth/me")), 401, "unauthorized");
    }
    for (String garbage : java.util.List.of("a.b.c", "...", b64("{\"alg\":\"HS256\"}") + ".e30.", "x")) {
      assertError(as(garbage, get("/api/v1/auth/me")), 401, "unauthorized");
    }
  }

  private String adminId;

  /** The claims of a token for the first administrator as stored now (token version 0). */
  private JsonObject claims(long now) {
    return new JsonObject().put("sub", adminId).put("name", "admin").put("role", "admin")
        .put("fac", new JsonArray().add("*")).put("iss", "muster").put("aud", "muster-api")
        .put("iat", now).put("exp", now + 600).put("ver", 0);
  }

  private JsonObject claimsWithoutExp(long now) {
    JsonObject c = claims(now);
    c.remove("exp");
    return c;
  }

  static String jwt(String alg, JsonObject claims, String secret) {
    String signing = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims.encode());
    try {
      String macName = "HS512".equals(alg) ? "HmacSHA512" : "HmacSHA256";
      Mac mac = Mac.getInstance(macName);
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), macName));
      return signing + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
          mac.doFinal(signing.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("websocket: no ticket 401, a ticket works once, a foreign Origin is refused with 403")
  void websocketTickets() {
    int port = node.httpPort();
    assertThat(handshakeStatus("ws://127.0.0.1:" + port + "/ws/live", null)).isEqualTo(401);
    String ticket = LiveClient.ticket(port);
    try (LiveClient first = LiveClient.connect(port, null, ticket)) {
      assertThat(first.snapshot.getLong("seq")).isNotNull();
    }
    assertThat(handshakeStatus("ws://127.0.0.1:" + port + "/ws/live?ticket=" + ticket, null)).isEqualTo(401);
    String fresh = LiveClient.ticket(port);
    assertThat(handshakeStatus("ws://127.0.0.1:" + port + "/ws/live?ticket=" + fresh, "https://evil.example")).isEqualTo(403);
    try (LiveClient own = LiveClient.connect(port, null, LiveClient.ticket(port))) {
      assertThat(own.snapshot.getString("kind")).isEqualTo("snapshot");
    }
  }

  private static int handshakeStatus(String url, String origin) {
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) {
      builder.header("Origin", origin);
    }
    try {
      builder.buildAsync(URI.create(url), new WebSocket.Listener() { }).join().abort();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  @Test
  @DisplayName("websocket: a user of one facility gets only that facility's incidents and events")
  void websocketFiltered() {
    String clinic = user("carl", "viewer", CLINIC);
    Http.Response before = Http.postJson(base + "/api/v1/incidents", EHR_AT_GENERAL);
    assertThat(before.status()).isEqualTo(201);
    try (LiveClient carl = LiveClient.connect(node.httpPort(), null, LiveClient.ticket(node.httpPort(), clinic));
         LiveClient admin = LiveClient.connect(node.httpPort(), null)) {
      assertThat(carl.snapshot.getJsonArray("incidents")).isEmpty();
      assertThat(admin.snapshot.getJsonArray("incidents")).hasSize(1);
      Http.Response atGeneral = Http.postJson(base + "/api/v1/incidents", EHR_AT_GENERAL);
      Http.Response atClinic = Http.postJson(base + "/api/v1/incidents", EHR_AT_GENERAL.replace(GENERAL, CLINIC));
      assertThat(atClinic.status()).as(atClinic.body()).isEqualTo(201);
      String clinicId = atClinic.json().getString("id");
      admin.awaitEvent(e -> clinicId.equals(e.getString("incidentId")), Duration.ofSeconds(10));
      carl.awaitEvent(e -> clinicId.equals(e.getString("incidentId")), Duration.ofSeconds(10));
      assertThat(admin.events()).anyMatch(e -> atGeneral.json().getString("id").equals(e.getString("incidentId")));
      assertThat(carl.events()).isNotEmpty().allMatch(e -> CLINIC.equals(e.getString("facilityId")));
      assertThat(carl.caughtUp).as("the stream said when Carl had caught up").isNotNull();
    }
  }

  @Test
  @DisplayName("machine keys: a commander key triggers with X-API-Key; once revoked it is refused; an admin key cannot be made")
  void apiKeys() {
    Http.Response made = Http.postJson(base + "/api/v1/api-keys",
        "{\"name\":\"weather feed\",\"role\":\"commander\",\"facilities\":[\"general\"]}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    String key = made.json().getString("key");
    Http.Response triggered = Http.send(post("/api/v1/incidents", EHR_AT_GENERAL).header("X-API-Key", key));
    assertThat(triggered.status()).isEqualTo(201);
    assertThat(triggered.json().getString("triggeredBy")).isEqualTo("key:weather feed");
    assertThat(Http.get(base + "/api/v1/api-keys").body()).doesNotContain(key.substring(36));
    assertThat(Http.postJson(base + "/api/v1/api-keys/" + made.json().getString("id") + "/revoke", "").status()).isEqualTo(200);
    assertError(Http.send(post("/api/v1/incidents", EHR_AT_GENERAL).header("X-API-Key", key)), 401, "unauthorized");
    assertError(Http.send(get("/api/v1/incidents").header("X-API-Key", "mk_" + "0".repeat(32) + "_" + "a".repeat(40))),
        401, "unauthorized");
    assertError(Http.postJson(base + "/api/v1/api-keys", "{\"name\":\"root\",\"role\":\"admin\",\"facilities\":[\"*\"]}"),
        400, "invalid_request");
    assertThat(db.count("SELECT COUNT(*) FROM incident")).isEqualTo(1);
  }

  @Test
  @DisplayName("users: a weak password or an unknown facility is refused naming the field; passwords are stored as bcrypt hashes")
  void users() {
    Http.Response weak = Http.postJson(base + "/api/v1/users",
        "{\"username\":\"wes\",\"password\":\"short\",\"role\":\"viewer\",\"facilities\":[\"*\"]}");
    assertError(weak, 400, "invalid_request");
    assertThat(weak.json().getJsonObject("error").getString("field")).isEqualTo("password");
    Http.Response nowhere = Http.postJson(base + "/api/v1/users",
        "{\"username\":\"wes\",\"password\":\"long-enough-password\",\"role\":\"viewer\",\"facilities\":[\"atlantis\"]}");
    assertThat(nowhere.json().getJsonObject("error").getString("field")).isEqualTo("facilities");
    assertThat(db.count("SELECT COUNT(*) FROM app_user")).isEqualTo(1);
    user("wes", "viewer", "*");
    assertThat(db.count("SELECT COUNT(*) FROM app_user WHERE username = 'wes' AND password_hash LIKE '$2%'")).isEqualTo(1);
    assertThat(db.count("SELECT COUNT(*) FROM app_user WHERE password_hash LIKE '%password-of%'")).isZero();
    assertThat(Http.get(base + "/api/v1/users").body()).doesNotContain("$2");
  }

  @Test
  @DisplayName("every answer carries the security headers; the dashboard too; API answers are not cached")
  void headers() {
    for (Http.Response r : java.util.List.of(Http.get(base + "/"), Http.get(base + "/api/v1/incidents"),
        Http.anonymous(get("/api/v1/incidents")), Http.get(base + "/no/such/page"))) {
      assertThat(r.header("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
      assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
      assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
    }
    assertThat(Http.get(base + "/api/v1/incidents").header("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  @DisplayName("answers to requests the HTTP decoder refuses (431, 414, 400) carry the security headers too")
  void decoderRefusalsCarryTheHeaders() throws IOException {
    String host = "Host: 127.0.0.1:" + node.httpPort() + "\r\n";
    Map<Integer, String> requests = Map.of(
        431, "GET /api/v1/incidents HTTP/1.1\r\n" + host + "X-Padding: " + "a".repeat(9_000) + "\r\n\r\n",
        414, "GET /api/v1/incidents?q=" + "a".repeat(5_000) + " HTTP/1.1\r\n" + host + "\r\n",
        400, "GET /api/v1/incidents HTTP/1.1\r\n" + host + "Bad Header Name: x\r\n\r\n");
    for (Map.Entry<Integer, String> request : requests.entrySet()) {
      Map<String, String> answer = raw(request.getValue());
      assertThat(answer.get(":status")).as("%s", answer).isEqualTo(String.valueOf(request.getKey()));
      assertThat(answer.get("content-security-policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
      assertThat(answer.get("x-content-type-options")).isEqualTo("nosniff");
      assertThat(answer.get("x-frame-options")).isEqualTo("DENY");
      assertThat(answer.get("referrer-policy")).isEqualTo("no-referrer");
    }
  }

  /** Sends bytes as they are; answers the status (":status") and the headers, names in lower case. */
  private Map<String, String> raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", node.httpPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      Map<String, String> answer = new HashMap<>();
      answer.put(":status", in.readLine().split(" ")[1]);
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        int colon = line.indexOf(':');
        answer.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
      }
      return answer;
    }
  }

  @Test
  @DisplayName("the first start makes one admin with the configured password; a second node on the same database makes none")
  void firstAdmin() {
    assertThat(db.count("SELECT COUNT(*) FROM app_user WHERE user_role = 'admin'")).isEqualTo(1);
    assertThat(node.firstAdminPassword()).isNull();
    nodes.start();
    assertThat(db.count("SELECT COUNT(*) FROM app_user")).isEqualTo(1);
  }

  @Test
  @DisplayName("over the rate: 429 with Retry-After, then the caller gets through again")
  void rateLimit() {
    Muster limited = nodes.start(new JsonObject().put("security", new JsonObject().put("requestsPerSecond", 1).put("burst", 3)));
    String url = TestNodes.baseUrl(limited) + "/api/v1/incidents";
    Http.Response last = null;
    for (int i = 0; i < 5; i++) {
      last = Http.get(url);
      if (last.status() == 429) {
        break;
      }
    }
    assertError(last, 429, "too_many_requests");
    assertThat(Long.parseLong(last.header("Retry-After"))).isBetween(1L, 2L);
    long wait = Long.parseLong(last.header("Retry-After"));
    eventually(Duration.ofSeconds(wait + 3), () -> Http.get(url).status() == 200);
  }

  @Test
  @DisplayName("the audit log records commands and refusals with who and from where")
  void audited() {
    String viewer = user("vera", "viewer", "*");
    as(viewer, post("/api/v1/incidents", EHR_AT_GENERAL));
    Http.postJson(base + "/api/v1/incidents", EHR_AT_GENERAL);
    eventually(Duration.ofSeconds(10), () ->
        db.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'user:vera' AND outcome = '403' AND origin = '127.0.0.1'") == 1
            && db.count("SELECT COUNT(*) FROM audit_log WHERE actor = 'user:admin' AND action = 'triggerIncident'"
            + " AND outcome = '201'") == 1
            && db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'event incident.triggered'") == 1
            && db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND target = 'user:vera'") == 1);
    Http.Response verify = Http.get(base + "/api/v1/audit/verify");
    assertThat(verify.json().getBoolean("intact")).as(verify.body()).isTrue();
    assertThat(verify.json().getLong("rows")).isGreaterThan(3);
  }

  @Test
  @DisplayName("without a ticket endpoint call the websocket cannot be reached with a bearer token in the query either")
  void websocketNeedsTicket() {
    String token = Http.token("127.0.0.1:" + node.httpPort());
    assertThat(handshakeStatus("ws://127.0.0.1:" + node.httpPort() + "/ws/live?ticket=" + token, null)).isEqualTo(401);
    assertThatThrownBy(() -> LiveClient.connect(node.httpPort(), null, "x".repeat(43))).isInstanceOf(CompletionException.class);
  }
}
