package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.muster.app.Muster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The gate, tried the way an attacker would: for every operation of {@code openapi.yaml}, many
 * spellings of its path (trailing, doubled and encoded slashes, dot segments, needless
 * percent-encoding, case, matrix parameters, other methods) from every role, a user who must first
 * change a reset password, and nobody. The operation's own spelling answers as its role says (401
 * for nobody, 403 below the role); every other spelling is "no such path" (or 405 for another
 * method) whoever asks; and nothing in the database changes. Requests go over a raw socket, so
 * each path reaches the node exactly as written.
 */
class GateIT {
  private static final Path CONTRACT = Path.of("src/main/resources/openapi.yaml");
  private static final Set<String> BEFORE_NEW_PASSWORD = Set.of("me", "changePassword", "logout");
  private static final List<String> ROLES = List.of("viewer", "coordinator", "commander", "admin");

  /** A valid body for each operation that takes one, so that only the gate can stop it. */
  private static final Map<String, String> BODIES = Map.ofEntries(
      Map.entry("triggerIncident", "{\"type\":\"ehr-downtime\",\"facilityId\":\"general\",\"summary\":\"gate test\"}"),
      Map.entry("updateReadiness", "{\"edStatus\":\"advisory\"}"),
      Map.entry("login", "{\"username\":\"nobody-here\",\"password\":\"not-a-real-password\"}"),
      Map.entry("changePassword", "{\"currentPassword\":\"not-the-current-one\",\"newPassword\":\"a-new-password-123\"}"),
      Map.entry("createUser", "{\"username\":\"gate-made\",\"password\":\"gate-made-password\",\"role\":\"admin\","
          + "\"facilities\":[\"*\"]}"),
      Map.entry("updateUser", "{\"role\":\"admin\"}"),
      Map.entry("createApiKey", "{\"name\":\"gate-key\",\"role\":\"commander\",\"facilities\":[\"*\"]}"));

  private record Op(String id, String method, String path, String role, boolean body) { }

  private record Caller(String name, String role, String token, boolean mustChangePassword) { }

  private static TestNodes nodes;
  private static Muster node;
  private static final Map<String, String> IDS = new LinkedHashMap<>();
  private static final List<Caller> CALLERS = new ArrayList<>();

  @BeforeAll
  static void start() {
    nodes = TestNodes.on("h2");
    node = nodes.start();
    String base = TestNodes.baseUrl(node);
    for (String role : List.of("viewer", "coordinator", "commander")) {
      Http.Response made = Http.postJson(base + "/api/v1/users", user("gate-" + role, role));
      assertThat(made.status()).as(made.body()).isEqualTo(201);
      CALLERS.add(new Caller(role, role, TestNodes.login(base, "gate-" + role, "password-of-gate-" + role), false));
    }
    CALLERS.add(new Caller("admin", "admin", Http.token("127.0.0.1:" + node.httpPort()), false));
    CALLERS.add(new Caller("nobody", null, null, false));
    // An administrator whose password was reset may do nothing but change it (or look, or leave).
    String reset = Http.postJson(base + "/api/v1/users", user("gate-reset", "admin")).json().getString("id");
    String temporary = Http.postJson(base + "/api/v1/users/" + reset + "/reset-password", "").json()
        .getString("temporaryPassword");
    CALLERS.add(new Caller("admin who must change the password", "admin", TestNodes.login(base, "gate-reset", temporary),
        true));

    IDS.put("users", Http.postJson(base + "/api/v1/users", user("gate-victim", "viewer")).json().getString("id"));
    IDS.put("api-keys", Http.postJson(base + "/api/v1/api-keys",
        "{\"name\":\"victim\",\"role\":\"viewer\",\"facilities\":[\"*\"]}").json().getString("id"));
    Http.Response incident = Http.postJson(base + "/api/v1/incidents", BODIES.get("triggerIncident"));
    assertThat(incident.status()).as(incident.body()).isEqualTo(201);
    IDS.put("incidents", incident.json().getString("id"));
    IDS.put("facilities", "general");
    IDS.put("playbooks", ((JsonObject) Http.get(base + "/api/v1/playbooks").json().getJsonArray("playbooks").getValue(0))
        .getString("id"));
  }

  @AfterAll
  static void stop() {
    nodes.close();
  }

  private static String user(String name, String role) {
    return new JsonObject().put("username", name).put("password", "password-of-" + name).put("role", role)
        .put("facilities", new JsonArray().add("*")).encode();
  }

  @Test
  @DisplayName("no spelling of any operation's path reaches a handler for a caller who may not call it, and nothing changes")
  void everySpellingFromEveryone() throws Exception {
    List<Op> ops = operations();
    assertThat(ops).hasSizeGreaterThan(25);
    String before = state();
    List<String> wrong = new ArrayList<>();
    int sent = 0;
    for (Op op : ops) {
      String canonical = concrete(op);
      assertThat(!op.body() || BODIES.containsKey(op.id())).as("a valid body for %s", op.id()).isTrue();
      for (Caller caller : CALLERS) {
        for (String query : List.of("", "?id=" + IDS.get("users") + "&role=admin")) {
          sent += check(op, op.method(), canonical + query, caller, true, wrong);
        }
        for (String spelling : spellings(canonical, !op.path().endsWith("}"))) {
          sent += check(op, op.method(), spelling, caller, false, wrong);
        }
        for (String method : otherMethods(op, ops)) {
          sent += check(op, method, canonical, caller, false, wrong);
        }
      }
    }
    assertThat(wrong).as("requests answered wrongly, of %d", sent).isEmpty();
    assertThat(state()).as("the database after %d refused requests", sent).isEqualTo(before);
  }

  /**
   * Sends one request; returns 1 when sent, 0 when skipped (a command the caller may run, spelled
   * right: the other suites run those).
   */
  private static int check(Op op, String method, String target, Caller caller, boolean canonical, List<String> wrong) {
    boolean sameMethod = method.equals(op.method());
    boolean allowed = canonical && sameMethod && allowed(op, caller);
    if (allowed && !"GET".equals(method)) {
      return 0;
    }
    Map<String, String> headers = new LinkedHashMap<>();
    if (caller.token() != null) {
      headers.put("Authorization", "Bearer " + caller.token());
    }
    String body = sameMethod && op.body() ? BODIES.get(op.id()) : null;
    if (body != null) {
      headers.put("Content-Type", "application/json");
    }
    RawHttp.Response r = RawHttp.send(node.httpPort(), method, target, headers, body);
    String expected;
    boolean ok;
    if (!sameMethod) {
      expected = "405, or 404 no such path";
      ok = r.status() == 405 || (r.status() == 404 && r.errorMessage().startsWith("no such path"));
    } else if (!canonical) {
      expected = "404 no such path";
      ok = r.status() == 404 && r.errorMessage().startsWith("no such path");
    } else if (allowed) {
      expected = "200";
      ok = r.status() == 200;
    } else if (caller.token() == null) {
      expected = "401";
      ok = r.status() == 401 && r.headers().getOrDefault("www-authenticate", "").startsWith("Bearer");
    } else {
      expected = "403";
      ok = r.status() == 403;
    }
    if (!ok) {
      wrong.add(method + " " + target + " as " + caller.name() + ": expected " + expected + ", got " + r.status() + " "
          + r.body().substring(0, Math.min(200, r.body().length())));
    }
    return 1;
  }

  private static boolean allowed(Op op, Caller caller) {
    if ("public".equals(op.role())) {
      return true;
    }
    if (caller.role() == null || (caller.mustChangePassword() && !BEFORE_NEW_PASSWORD.contains(op.id()))) {
      return false;
    }
    return ROLES.indexOf(caller.role()) >= ROLES.indexOf(op.role() == null ? "admin" : op.role());
  }

  /** The operation's path with real ids in it. */
  private static String concrete(Op op) {
    String path = op.path().replace("{taskId}", "t1");
    for (Map.Entry<String, String> e : IDS.entrySet()) {
      path = path.replace("/" + e.getKey() + "/{id}", "/" + e.getKey() + "/" + e.getValue());
    }
    assertThat(path).as("ids for %s", op.path()).doesNotContain("{");
    return path;
  }

  /**
   * Other ways to write the path that a router might take for the same route. Case and trailing
   * characters are tried on a literal last segment only: on an id they make another id, which is a
   * different (and legitimate) request.
   */
  static List<String> spellings(String path, boolean literalTail) {
    int last = path.lastIndexOf('/');
    String head = path.substring(0, last);
    String tail = path.substring(last + 1);
    Set<String> s = new LinkedHashSet<>();
    s.add(path + "/");
    s.add("/" + path);
    s.add(head + "//" + tail);
    s.add(path.replace("/api/", "/api//"));
    s.add(head + "/./" + tail);
    s.add(head + "/x/../" + tail);
    s.add(path + "/.");
    s.add(path + "/x/..");
    s.add(head + "/%" + hex(tail.charAt(0)) + tail.substring(1));
    s.add(path.replace("/api/", "/%61pi/"));
    s.add(path.replace("/api/", "/API/"));
    if (literalTail) {
      s.add(head + "/" + tail.toUpperCase(Locale.ROOT));
      s.add(path + "%20");
    }
    s.add(path + ";x=1");
    s.add(path.replace("/api/", "/api;v=1/"));
    s.add(head + "%2F" + tail);
    s.add(head + "%2f" + tail);
    s.add(head + "%5C" + tail);
    s.add(path + "%2E");
    s.add(path.replace("/api/v1/", "/api/v1/%2e%2e/v1/"));
    s.add(path.replace("/api/v1/", "/api/v2/../v1/"));
    s.remove(path);
    return new ArrayList<>(s);
  }

  private static String hex(char c) {
    return String.format("%02X", (int) c);
  }

  /** Methods the contract does not have for this path. */
  private static List<String> otherMethods(Op op, List<Op> ops) {
    Set<String> defined = new LinkedHashSet<>();
    ops.stream().filter(o -> o.path().equals(op.path())).forEach(o -> defined.add(o.method()));
    List<String> others = new ArrayList<>();
    for (String m : List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")) {
      if (!defined.contains(m)) {
        others.add(m);
      }
    }
    // One per operation is enough; the first operation of a path tries them all.
    return ops.stream().filter(o -> o.path().equals(op.path())).findFirst().orElseThrow() == op ? others : List.of();
  }

  private static List<Op> operations() throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(CONTRACT.toFile());
    List<Op> ops = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
        Map.Entry<String, JsonNode> m = methods.next();
        JsonNode o = m.getValue();
        ops.add(new Op(o.path("operationId").asText(), m.getKey().toUpperCase(Locale.ROOT), path.getKey(),
            o.path("x-muster-role").isMissingNode() ? null : o.path("x-muster-role").asText(),
            o.path("requestBody").path("required").asBoolean(false)));
      }
    }
    return ops;
  }

  /** What a command could change: users, keys, incidents, the journal's record of commands, tickets. */
  private static String state() throws SQLException {
    StringBuilder out = new StringBuilder();
    try (Connection c = DriverManager.getConnection(nodes.db().url, nodes.db().user, "");
         Statement s = c.createStatement()) {
      for (String sql : List.of(
          "SELECT id, username, user_role, facilities, disabled, token_version, must_change_password, password_hash"
              + " FROM app_user ORDER BY id",
          "SELECT id, revoked_at FROM api_key ORDER BY id",
          "SELECT id, status FROM incident ORDER BY id",
          // What callers did (the incident's playbook goes on sending in the background meanwhile).
          "SELECT COUNT(*) FROM journal WHERE actor LIKE 'user:%' OR actor LIKE 'key:%'",
          "SELECT COUNT(*) FROM ws_ticket")) {
        try (ResultSet rs = s.executeQuery(sql)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int i = 1; i <= columns; i++) {
              out.append(rs.getString(i)).append('|');
            }
            out.append('\n');
          }
        }
      }
    }
    return out.toString();
  }
}
