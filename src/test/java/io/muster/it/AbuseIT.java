package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static io.muster.it.SessionsIT.assertError;
import static io.muster.it.SessionsIT.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one address or one account can cost a node, over real HTTP, sockets and websockets: budgets
 * for requests without valid credentials (429 instead of 401, refusals counted into one audit row
 * per address and kind), sign-in lockouts per account that do not tell which names exist,
 * X-Forwarded-For believed only from a trusted proxy, a header timeout against slow clients, live
 * connection caps, the websocket's Origin rule and the metrics token. Each test starts its own node
 * on H2 with the limits it needs.
 */
@Timeout(120)
class AbuseIT {
  private static final Duration WAIT = Duration.ofSeconds(15);
  /** An audit row that counts refusals: "N refused from <first> to <flush>; last: <reason>". */
  private static final Pattern COUNTED = Pattern.compile("(\\d+) refused from (\\S+) to (\\S+); last: (.*)", Pattern.DOTALL);
  private static final String LOCKED_ACCOUNT_MESSAGE = "too many wrong passwords";

  private TestNodes nodes;

  @BeforeEach
  void setUp() {
    nodes = TestNodes.on("h2");
  }

  @AfterEach
  void tearDown() {
    nodes.close();
  }

  private static JsonObject trustLoopbackProxy() {
    return new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.1"));
  }

  // ---- requests without valid credentials

  @Test
  @DisplayName("no or bad credentials: after the address's budget 429 with Retry-After, a valid token works from another"
      + " address, and the refusals are one audit row per address and kind with the count")
  void anonymousBudget() {
    Muster node = nodes.start(new JsonObject().put("http", trustLoopbackProxy())
        .put("limits", new JsonObject().put("anonymousPerSecond", 0.01).put("anonymousBurst", 37).put("refusalWindowSeconds", 1)));
    String url = TestNodes.baseUrl(node) + "/api/v1/incidents";
    String flooder = "203.0.113.10";

    long started = System.nanoTime();
    for (int i = 0; i < 37; i++) {
      HttpRequest.Builder r = get(url).header("X-Forwarded-For", flooder);
      if (i % 2 == 1) {
        r.header("Authorization", "Bearer not-a-token-" + i);
      }
      assertError(Http.anonymous(r), 401, "unauthorized");
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Http.Response over = Http.anonymous(get(url).header("X-Forwarded-For", flooder));
    assertError(over, 429, "too_many_requests");
    assertThat(Long.parseLong(over.header("Retry-After"))).isPositive();
    assertError(Http.anonymous(get(url).header("X-Forwarded-For", flooder).header("Authorization", "Bearer junk")),
        429, "too_many_requests");

    Http.Response elsewhere = Http.send(get(url).header("X-Forwarded-For", "198.51.100.20"));
    assertThat(elsewhere.status()).as("a valid token from another address: %s", elsewhere.body()).isEqualTo(200);
    assertError(Http.anonymous(get(url).header("X-Forwarded-For", "198.51.100.20")), 401, "unauthorized");

    List<JsonObject> rows = counted(nodes.db(), flooder, "authenticate for listIncidents", "401", 37);
    assertThat(rows.size()).as("one row per window of %.1f s, not one per refusal: %s", seconds, rows)
        .isLessThanOrEqualTo((int) seconds + 2);
    assertThat(rows).allSatisfy(r -> assertThat(r.getString("ACTOR")).isEqualTo("anonymous"));
  }

  // ---- sign-in lockout

  @Test
  @DisplayName("5 wrong passwords lock an account (even the right password gets 429 with Retry-After) until the lock"
      + " passes; another account is not locked; an unknown name is throttled alike, so no answer reveals which names exist")
  void signInLockout() {
    Muster node = nodes.start();
    String base = TestNodes.baseUrl(node);
    String ana = createUser(base, "ana");
    String ben = createUser(base, "ben");

    Http.Response wrong = null;
    for (int i = 0; i < 5; i++) {
      wrong = signIn(base, ana, "wrong-password-" + i);
      assertError(wrong, 401, "unauthorized");
    }
    Http.Response locked = signIn(base, ana, password(ana));
    assertError(locked, 429, "too_many_requests");
    assertThat(locked.json().getJsonObject("error").getString("message")).contains(LOCKED_ACCOUNT_MESSAGE);
    assertThat(Long.parseLong(locked.header("Retry-After"))).isPositive();
    assertThat(locked.body()).doesNotContain("accessToken");
    assertThat(signIn(base, ben, password(ben)).status()).as("another account, same address").isEqualTo(200);
    eventually(WAIT, () -> signIn(base, ana, password(ana)).status() == 200);

    String ghost = "ghost-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 5; i++) {
      Http.Response unknown = signIn(base, ghost, "wrong-password-" + i);
      assertThat(unknown.status()).isEqualTo(401);
      assertThat(unknown.body()).as("an unknown name is answered like a wrong password").isEqualTo(wrong.body());
      assertThat(unknown.header("WWW-Authenticate")).isEqualTo(wrong.header("WWW-Authenticate"));
    }
    Http.Response ghostLocked = signIn(base, ghost, "wrong-password-5");
    assertError(ghostLocked, 429, "too_many_requests");
    assertThat(Long.parseLong(ghostLocked.header("Retry-After"))).isPositive();
    assertThat(ghostLocked.body().replaceAll("[0-9]+", "N")).as("an unknown name is locked like an account")
        .isEqualTo(locked.body().replaceAll("[0-9]+", "N"));

    List<JsonObject> audited = auditedRows(base, nodes.db(), 1, "action = 'login' AND outcome = '429' AND target = ?",
        "user:" + ana);
    assertThat(audited.get(0).getString("DETAIL")).contains(LOCKED_ACCOUNT_MESSAGE);
  }

  // ---- X-Forwarded-For

  @Test
  @DisplayName("X-Forwarded-For from a peer that is not a trusted proxy is ignored: it gives no fresh sign-in budget")
  void untrustedForwardedFor() {
    Muster node = nodes.start(new JsonObject().put("security", new JsonObject().put("loginsPerMinute", 3)));
    String base = TestNodes.baseUrl(node);
    Http.Response last = null;
    for (int i = 0; i < 4 && (last == null || last.status() != 429); i++) {
      last = adminSignIn(base);
    }
    assertError(last, 429, "too_many_requests");
    for (String forwarded : List.of("203.0.113.50", "198.51.100.7, 203.0.113.51")) {
      Http.Response spoofed = adminSignIn(base, "X-Forwarded-For", forwarded);
      assertError(spoofed, 429, "too_many_requests");
      assertThat(spoofed.header("Retry-After")).isNotNull();
    }
  }

  @Test
  @DisplayName("from a trusted proxy, clients with different X-Forwarded-For have separate budgets, a forged left-most"
      + " hop does not help, and the audit row's origin is the client's address")
  void trustedForwardedFor() {
    Muster node = nodes.start(new JsonObject().put("http", trustLoopbackProxy())
        .put("security", new JsonObject().put("loginsPerMinute", 3)));
    String base = TestNodes.baseUrl(node);
    String x = "203.0.113.1";
    String y = "203.0.113.2";
    for (int i = 0; i < 3; i++) {
      assertThat(adminSignIn(base, "X-Forwarded-For", x).status()).isEqualTo(200);
    }
    assertError(adminSignIn(base, "X-Forwarded-For", x), 429, "too_many_requests");
    assertError(adminSignIn(base, "X-Forwarded-For", "198.51.100.99, " + x), 429, "too_many_requests");
    Http.Response other = adminSignIn(base, "X-Forwarded-For", y);
    assertThat(other.status()).as(other.body()).isEqualTo(200);

    List<JsonObject> fromY = auditedRows(base, nodes.db(), 1, "action = 'login' AND outcome = '200' AND origin = ?", y);
    assertThat(fromY).hasSize(1);
    assertThat(fromY.get(0).getString("TARGET")).isEqualTo("user:" + TestNodes.ADMIN_USER);
    assertThat(auditedRows(base, nodes.db(), 3, "action = 'login' AND outcome = '200' AND origin = ?", x)).hasSize(3);
    assertThat(SessionsIT.auditRows(nodes.db(), "action = 'login' AND origin = ?", "198.51.100.99")).isEmpty();
  }

  // ---- slow clients

  @Test
  @DisplayName("header timeout: a client that sends a header line every second is closed while still sending; a normal"
      + " request on a fresh connection works")
  void headerTimeout() throws IOException {
    Muster node = nodes.start(new JsonObject().put("http", new JsonObject().put("headerTimeoutSeconds", 2)));
    int linesSent;
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      linesSent = trickleUntilClosed(s, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }
    assertThat(linesSent).as("header lines sent before the server closed the connection (-1: it never did)")
        .isBetween(1, 10);
    assertThat(Http.get(TestNodes.baseUrl(node) + "/health/live").status()).isEqualTo(200);
    assertThat(Http.get(TestNodes.baseUrl(node) + "/api/v1/incidents").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("header timeout on a kept-alive connection: after one answered request, a second request whose headers"
      + " trickle in is closed while still sending")
  void headerTimeoutBetweenRequests() throws IOException {
    Muster node = nodes.start(new JsonObject().put("http", new JsonObject().put("headerTimeoutSeconds", 2)));
    int linesSent;
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      StringBuilder answer = new StringBuilder();
      while (!answer.toString().contains("\"UP\"}")) {
        int c = s.getInputStream().read();
        assertThat(c).as("the first request is answered: %s", answer).isNotNegative();
        answer.append((char) c);
      }
      assertThat(answer.toString()).startsWith("HTTP/1.1 200");
      linesSent = trickleUntilClosed(s, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    }
    assertThat(linesSent).as("header lines sent before the server closed the connection (-1: it never did)")
        .isBetween(1, 10);
  }

  @Test
  @DisplayName("body timeout: a request whose body trickles in a byte a second is closed while still sending")
  void bodyTimeout() throws IOException {
    Muster node = nodes.start(new JsonObject().put("http", new JsonObject().put("headerTimeoutSeconds", 2)));
    int bytesSent;
    try (Socket s = new Socket("127.0.0.1", node.httpPort())) {
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 200\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      bytesSent = -1;
      for (int sent = 0; sent < 30; ) {
        try {
          if (s.getInputStream().read() < 0) {
            bytesSent = sent;
            break;
          }
        } catch (SocketTimeoutException quiet) {
          try {
            out.write(' ');
            out.flush();
            sent++;
          } catch (IOException reset) {
            bytesSent = sent;
            break;
          }
        } catch (IOException reset) {
          bytesSent = sent;
          break;
        }
      }
    }
    // Three times the header timeout after the headers: about 6 bytes; 30 would mean never.
    assertThat(bytesSent).as("body bytes sent before the server closed the connection (-1: it never did)")
        .isBetween(1, 20);
    assertThat(Http.get(TestNodes.baseUrl(node) + "/health/live").status()).isEqualTo(200);
  }

  @Test
  @DisplayName("live stream tickets: guessing tickets from one address spends its budget, then 429 before any lookup")
  void ticketGuessing() {
    Muster node = nodes.start(new JsonObject().put("limits", new JsonObject().put("anonymousPerSecond", 0.1)
        .put("anonymousBurst", 5)));
    int statusAfter = 0;
    for (int i = 0; i < 8; i++) {
      RawHttp.Response r = RawHttp.send(node.httpPort(), "GET", "/ws/live?ticket=" + "A".repeat(43),
          java.util.Map.of("Upgrade", "websocket", "Connection", "Upgrade", "Sec-WebSocket-Version", "13",
              "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), null);
      if (i < 5) {
        assertThat(r.status()).as("guess %d: %s", i, r.body()).isEqualTo(401);
      } else {
        statusAfter = r.status();
        assertThat(r.status()).as("guess %d: %s", i, r.body()).isEqualTo(429);
        assertThat(r.headers()).containsKey("retry-after");
      }
    }
    assertThat(statusAfter).isEqualTo(429);
  }

  /**
   * Sends the start of a request, then one header line whenever the server has been silent for a
   * second, never ending the headers. Returns how many header lines were sent when the server closed
   * the connection, or -1 if it was still open after 12 (six times the timeout).
   */
  private static int trickleUntilClosed(Socket s, String start) throws IOException {
    s.setSoTimeout(1000);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    out.write(start.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    for (int lines = 0; lines < 12; ) {
      try {
        if (in.read() < 0) {
          return lines;
        }
      } catch (SocketTimeoutException quiet) {
        try {
          out.write(("X-Slow-" + lines + ": still typing\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          lines++;
        } catch (IOException reset) {
          return lines;
        }
      } catch (IOException reset) {
        return lines;
      }
    }
    return -1;
  }

  // ---- live connections

  @Test
  @DisplayName("live connection caps: a user's third websocket is closed with 1008 saying the limit; another user still connects")
  void liveConnectionCap() {
    Muster node = nodes.start(new JsonObject().put("limits", new JsonObject().put("liveConnectionsPerUser", 2)));
    int port = node.httpPort();
    String base = TestNodes.baseUrl(node);
    String admin = Http.token("127.0.0.1:" + port);
    String vic = createUser(base, "vic");
    String vicToken = TestNodes.login(base, vic, password(vic));
    try (LiveSocket one = LiveSocket.streaming(port, admin);
         LiveSocket two = LiveSocket.streaming(port, admin);
         LiveSocket three = LiveSocket.open(port, LiveClient.ticket(port, admin))) {
      LiveSocket.Closed refused = three.awaitClose(WAIT);
      assertThat(refused.code()).as("closed: %s", refused).isEqualTo(1008);
      assertThat(refused.reason()).contains("too many live connections").contains("at most 2");
      assertThat(one.isClosed()).isFalse();
      assertThat(two.isClosed()).isFalse();
      try (LiveSocket other = LiveSocket.open(port, LiveClient.ticket(port, vicToken))) {
        assertThat(other.admitted(WAIT)).as("another user's first socket").isTrue();
      }
    }
  }

  @Test
  @DisplayName("live connection caps count open sockets: once a user's sockets are closed, the user can connect again")
  void closedLiveSocketsMakeRoom() {
    Muster node = nodes.start(new JsonObject().put("limits", new JsonObject().put("liveConnectionsPerUser", 2)));
    int port = node.httpPort();
    String admin = Http.token("127.0.0.1:" + port);
    for (int i = 0; i < 2; i++) {
      try (LiveSocket s = LiveSocket.streaming(port, admin)) {
        assertThat(s.isClosed()).isFalse();
      }
    }
    // Both are closed now (a page reloaded twice); the server may take a moment to notice.
    eventually(WAIT, () -> {
      try (LiveSocket again = LiveSocket.open(port, LiveClient.ticket(port, admin))) {
        return again.admitted(WAIT);
      }
    });
  }

  @Test
  @DisplayName("websocket Origin: the request's own Host is no reason (403), nor a loopback alias when the public URL is"
      + " not loopback; the public base URL's origin and a configured allowed origin are accepted")
  void websocketOrigin() {
    Muster node = nodes.start(new JsonObject()
        .put("http", new JsonObject().put("publicBaseUrl", "https://muster.example.org"))
        .put("security", new JsonObject().put("allowedOrigins", new JsonArray().add("https://wall.example.org"))));
    int port = node.httpPort();
    String hostOrigin = "http://127.0.0.1:" + port;   // the Host header the client sends, as an origin
    assertThat(LiveSocket.handshake(port, ticket(port), hostOrigin)).isEqualTo(403);
    assertThat(LiveSocket.handshake(port, ticket(port), "http://localhost:" + port)).isEqualTo(403);
    assertThat(LiveSocket.rawHandshake(port, ticket(port), "evil.example", "http://evil.example")).isEqualTo(403);
    assertThat(LiveSocket.rawHandshake(port, ticket(port), "evil.example", "https://muster.example.org")).isEqualTo(101);
    assertThat(LiveSocket.handshake(port, ticket(port), "https://muster.example.org")).isEqualTo(101);
    assertThat(LiveSocket.handshake(port, ticket(port), "https://wall.example.org")).isEqualTo(101);
  }

  // ---- metrics

  @Test
  @DisplayName("/metrics with a metrics token: 401 without it or with a wrong one (an API token included), 200 with it")
  void metricsToken() {
    String token = "metrics-" + UUID.randomUUID();
    Muster node = nodes.start(new JsonObject().put("http", new JsonObject().put("metricsToken", token)));
    String url = TestNodes.baseUrl(node) + "/metrics";
    Http.Response none = Http.anonymous(get(url));
    assertError(none, 401, "unauthorized");
    assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
    assertError(Http.anonymous(get(url).header("Authorization", "Bearer wrong-" + token)), 401, "unauthorized");
    assertError(Http.anonymous(get(url).header("Authorization", token)), 401, "unauthorized");
    assertError(Http.anonymous(get(url).header("Authorization", "Bearer " + Http.token("127.0.0.1:" + node.httpPort()))),
        401, "unauthorized");
    Http.Response scraped = Http.anonymous(get(url).header("Authorization", "Bearer " + token));
    assertThat(scraped.status()).isEqualTo(200);
    assertThat(scraped.body()).contains("# TYPE");
  }

  @Test
  @DisplayName("/metrics without a metrics token configured: 200 for anyone")
  void metricsOpen() {
    Muster node = nodes.start();
    Http.Response scraped = Http.anonymous(get(TestNodes.baseUrl(node) + "/metrics"));
    assertThat(scraped.status()).isEqualTo(200);
    assertThat(scraped.body()).contains("# TYPE");
  }

  // ---- refusals anyone can cause

  @Test
  @DisplayName("forged Twilio webhooks and spent or unknown websocket tickets end up as counted audit rows, not one row each")
  void webhooksAndTicketsCounted() {
    Muster node = nodes.start(new JsonObject().put("limits", new JsonObject().put("refusalWindowSeconds", 1)));
    int port = node.httpPort();
    String base = TestNodes.baseUrl(node);
    long started = System.nanoTime();
    String form = "MessageSid=SM" + "0".repeat(32) + "&From=%2B16175550104&Body=1";
    for (int i = 0; i < 8; i++) {
      Http.Response forged = i == 0 ? Http.post(base + "/webhooks/twilio/sms", "application/x-www-form-urlencoded", form)
          : Http.post(base + "/webhooks/twilio/sms", "application/x-www-form-urlencoded", form,
          "X-Twilio-Signature", "forged-signature-" + i);
      assertError(forged, 403, "bad_signature");
    }
    String spent = ticket(port);
    try (LiveSocket once = LiveSocket.open(port, spent)) {
      assertThat(once.admitted(WAIT)).isTrue();
    }
    assertThat(LiveSocket.handshake(port, spent, null)).isEqualTo(401);
    for (String unknown : List.of("A".repeat(43), "B".repeat(43), "no-such-ticket", "")) {
      assertThat(LiveSocket.handshake(port, unknown, null)).isEqualTo(401);
    }
    double seconds = (System.nanoTime() - started) / 1e9;

    List<JsonObject> webhooks = counted(nodes.db(), "127.0.0.1", "POST /webhooks/twilio/sms", "403", 8);
    assertThat(webhooks.size()).as("%s within %.1f s", webhooks, seconds).isLessThanOrEqualTo((int) seconds + 2);
    assertThat(webhooks.get(webhooks.size() - 1).getString("DETAIL")).contains("Twilio signature");
    List<JsonObject> tickets = counted(nodes.db(), "127.0.0.1", "GET /ws/live", "401", 5);
    assertThat(tickets.size()).as("%s within %.1f s", tickets, seconds).isLessThanOrEqualTo((int) seconds + 2);
    assertThat(tickets.get(tickets.size() - 1).getString("DETAIL")).contains("ticket");
  }

  // ---- helpers

  /**
   * The counted refusal rows of one address and kind, once their counts add up to {@code total};
   * fails if they add up to more.
   */
  private static List<JsonObject> counted(TestDatabase db, String origin, String action, String outcome, int total) {
    List<JsonObject> rows = new ArrayList<>();
    eventually(WAIT, () -> {
      rows.clear();
      rows.addAll(SessionsIT.auditRows(db, "origin = ? AND action = ? AND outcome = ?", origin, action, outcome));
      return sum(rows) >= total;
    });
    assertThat(sum(rows)).as("refusals counted in %s", rows).isEqualTo(total);
    return rows;
  }

  private static int sum(List<JsonObject> rows) {
    int sum = 0;
    for (JsonObject r : rows) {
      Matcher m = COUNTED.matcher(r.getString("DETAIL"));
      assertThat(m.matches()).as("a counted row: %s", r).isTrue();
      sum += Integer.parseInt(m.group(1));
    }
    return sum;
  }

  /** Audit rows once at least {@code atLeast} match, after asking the node to write what is pending. */
  private static List<JsonObject> auditedRows(String base, TestDatabase db, int atLeast, String where, Object... params) {
    List<JsonObject> rows = new ArrayList<>();
    eventually(WAIT, () -> {
      assertThat(Http.get(base + "/api/v1/audit/verify").status()).isEqualTo(200);
      rows.clear();
      rows.addAll(SessionsIT.auditRows(db, where, params));
      return rows.size() >= atLeast;
    });
    return rows;
  }

  private static String ticket(int port) {
    return LiveClient.ticket(port);
  }

  /** Creates a viewer of every facility; returns the name (the password is {@link #password}). */
  private static String createUser(String base, String prefix) {
    String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    Http.Response r = Http.postJson(base + "/api/v1/users", new JsonObject().put("username", name)
        .put("password", password(name)).put("role", "viewer").put("facilities", new JsonArray().add("*")).encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return name;
  }

  private static String password(String name) {
    return "password-of-" + name;
  }

  private static Http.Response signIn(String base, String username, String password) {
    return Http.postJson(base + "/api/v1/auth/login",
        new JsonObject().put("username", username).put("password", password).encode());
  }

  private static Http.Response adminSignIn(String base, String... headers) {
    return Http.postJson(base + "/api/v1/auth/login", new JsonObject().put("username", TestNodes.ADMIN_USER)
        .put("password", TestNodes.ADMIN_PASSWORD).encode(), headers);
  }
}
