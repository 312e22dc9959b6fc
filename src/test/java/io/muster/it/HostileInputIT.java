package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.muster.app.Muster;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #6: a corpus of malformed and hostile requests, generated at test time from the API contract
 * ({@code openapi.yaml}) plus injection strings. Each is sent over real HTTP as a signed-in
 * administrator (so it gets past the guard to validation) and must be answered with a 4xx and a JSON
 * error ({@code {"error":{"code","message"}}}, naming the field when the server names one), never a
 * 5xx, a 2xx, a stack trace or reflected markup, and must write nothing: the journal head and the
 * incident, notification, readiness, user and key tables are the same before and after each case
 * and after the whole corpus. (Refusals of who may do what are audited; the audit log is not counted.)
 *
 * <p>Only invalid variants are generated: a hostile string goes where it is not a valid value (an
 * id, an enum, a reference, a username), never into free text such as an incident summary, where it
 * would rightly be accepted and stored.
 *
 * <p>{@code HOSTILE_DUMP=1} in the environment prints every case and its answer.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileInputIT {
  private static final Path CONTRACT = Path.of("src/main/resources/openapi.yaml");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String UNKNOWN_UUID = "3f2b8c1e-9d4a-4e6f-8b7c-0a1d2e3f4a5b";
  private static final String NEW_PASSWORD = "Probe-Passw0rd-Long";
  private static final String RAW = "@@raw@@";
  private static final int HUGE = 100 * 1024;
  private static final int DEPTH = 10_000;
  /** The tables a refused request must leave alone (audit_log is left out: refusals are audited). */
  private static final List<String> TABLES = List.of("incident", "notification", "readiness_value", "app_user", "api_key");
  private static final boolean DUMP = "1".equals(System.getenv("HOSTILE_DUMP"));

  /**
   * String properties where any text of the allowed length is a valid value: hostile strings there
   * would be accepted and stored, so they are not sent there (only type, length and shape errors are).
   */
  private static final Set<String> FREE_TEXT = Set.of("triggerIncident:summary", "createUser:password",
      "changePassword:newPassword", "createApiKey:name", "updateReadiness:note");

  /** A valid value for a property, by "operationId:property" or "property": the base every mutation starts from. */
  private static final Map<String, String> VALID = Map.ofEntries(
      Map.entry("triggerIncident:type", "mass-casualty"), Map.entry("facilityId", "general"),
      Map.entry("summary", "Hostile input probe"), Map.entry("login:username", TestNodes.ADMIN_USER),
      Map.entry("login:password", TestNodes.ADMIN_PASSWORD), Map.entry("currentPassword", TestNodes.ADMIN_PASSWORD),
      Map.entry("newPassword", NEW_PASSWORD), Map.entry("createUser:username", "hostile-probe"),
      Map.entry("createUser:password", NEW_PASSWORD), Map.entry("name", "hostile-probe-key"),
      Map.entry("facilities", "general"), Map.entry("note", "probe"));

  /** A path parameter's base value (an unknown or harmless id) while another part of the request is hostile. */
  private static final Map<String, String> PATH_BASE = Map.of("getPlaybook:id", "mass-casualty",
      "getReadiness:id", "general", "updateReadiness:id", "general", "getHave:id", "general",
      "revokeApiKey:id", "0".repeat(32), "completeTask:taskId", "no-such-task");

  /** Injection strings: SQL, markup, traversal, template/JNDI lookups, control characters. */
  private static final List<String[]> INJECTIONS = List.of(
      new String[] {"SQL tautology", "' OR '1'='1"},
      new String[] {"SQL stacked DROP", "1; DROP TABLE incident;--"},
      new String[] {"SQL url-encoded", "%27%20OR%201=1"},
      new String[] {"SQL comment", "admin'--"},
      new String[] {"SQL UNION", "x' UNION SELECT username, password_hash FROM app_user--"},
      new String[] {"XSS script", "<script>alert(1)</script>"},
      new String[] {"XSS img onerror", "\"><img src=x onerror=alert(1)>"},
      new String[] {"path traversal", "../../etc/passwd"},
      new String[] {"encoded traversal", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"},
      new String[] {"windows traversal", "..\\..\\windows\\win.ini"},
      new String[] {"JNDI lookup", "${jndi:ldap://x/a}"},
      new String[] {"template", "{{7*7}}"},
      new String[] {"null byte", "\u0000"},
      new String[] {"embedded null byte", "general\u0000' OR 1=1"},
      new String[] {"CRLF", "x\r\nX-Injected: 1"},
      new String[] {"ANSI escape", "\u001b[2J\u001b[31mred"},
      new String[] {"bidi override", "\u202egeneral"});

  private static List<Case> corpus;
  private final Map<String, Env> envs = new HashMap<>();
  private final Map<String, Map<String, String>> lastState = new HashMap<>();

  /** A node on one database; {@code moving}: what changed between cases, by work still running for an earlier one. */
  private record Env(TestDatabase db, TestNodes nodes, Muster node, String base, Map<String, String> initial,
                     Set<String> moving) { }

  /** One HTTP request, exactly as it goes on the wire (path already encoded). */
  record Req(String method, String path, Map<String, String> headers, byte[] body, boolean anonymous) { }

  /**
   * One hostile request: its class, what it does, the statuses that fit, and the field the error
   * should name when it names one (null: no field expected).
   */
  record Case(String group, String name, Req req, Set<Integer> statuses, String field) {
    @Override
    public String toString() {
      return group + ": " + name;
    }
  }

  /** An operation of the contract. */
  record Op(String id, String method, String path, String role, List<JsonNode> params, JsonNode body) { }

  // ---------------------------------------------------------------------------------------------
  // The tests

  @Test
  @Order(0)
  @DisplayName("the corpus generated from openapi.yaml has at least 200 distinct cases")
  void corpusIsLargeEnough() {
    List<Case> all = cases();
    Map<String, Integer> byGroup = new TreeMap<>();
    all.forEach(c -> byGroup.merge(c.group(), 1, Integer::sum));
    System.out.println("HostileInputIT corpus: " + all.size() + " cases " + byGroup);
    assertThat(all.stream().map(Case::toString).distinct().count()).as("distinct cases").isEqualTo(all.size());
    assertThat(all).hasSizeGreaterThanOrEqualTo(200);
  }

  static Stream<Arguments> kindsAndCases() {
    return Stream.of("h2", "postgres").flatMap(kind -> cases().stream().map(c -> Arguments.of(kind, c)));
  }

  @ParameterizedTest(name = "[{0}] {1}")
  @MethodSource("kindsAndCases")
  @Order(1)
  @DisplayName("a hostile request gets a 4xx with a JSON error, and writes nothing")
  void refusedAndNothingWritten(String kind, Case c) {
    Env env = env(kind);
    if (DUMP) {
      System.out.println("SEND [" + kind + "] " + c);
    }
    Map<String, String> before = settled(kind, env);

    Http.Response r = send(env.base(), c.req());

    if (DUMP) {
      System.out.println("DUMP [" + kind + "] " + c + " -> " + r.status() + " " + abbreviate(r.body(), 300));
    }
    Map<String, String> after = state(env.db());
    lastState.put(kind, after);
    if (r.status() < 400 || r.status() >= 500 || !after.equals(before)) {
      // Wrongly accepted: what it set going (pages, deliveries) must not be blamed on the next cases.
      lastState.put(kind, quiet(env, after));
    }
    assertRefused(c, r);
    List<String> written = changes(before, after).stream()
        .filter(change -> !env.moving().contains(change.substring(0, change.indexOf(':')))).toList();
    assertThat(written).as("written by %s (answered %d %s)", c, r.status(), abbreviate(r.body(), 300)).isEmpty();
  }

  /**
   * The state before a case. When it moved since the previous case ended, a request wrongly accepted
   * earlier still has work running (its pages being sent and delivered): waits for that work to end, and
   * leaves what moved out of the following per-case checks, so that a write is blamed on the case that
   * made it rather than on the ones after it. The whole-corpus check still counts everything.
   */
  private Map<String, String> settled(String kind, Env env) {
    Map<String, String> last = lastState.getOrDefault(kind, env.initial());
    Map<String, String> now = state(env.db());
    return now.equals(last) ? now : quiet(env, last);
  }

  /**
   * Waits (at most 10 s, as a best effort) until what a wrongly accepted request set going has run
   * its course: no notification queued, being sent or awaiting its receipt, and every journal cursor
   * at the journal's head. What moved since {@code from} is left out of later checks.
   */
  private static Map<String, String> quiet(Env env, Map<String, String> from) {
    try {
      Awaitility.await("work of a wrongly accepted request").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100)).until(() -> nothingOnItsWay(env.db()));
    } catch (ConditionTimeoutException stillMoving) {
      // the per-case check below names what moved
    }
    Map<String, String> now = state(env.db());
    for (String change : changes(from, now)) {
      env.moving().add(change.substring(0, change.indexOf(':')));
    }
    return now;
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @Order(2)
  @DisplayName("after the whole corpus, the journal head and the tables are as they were before it")
  void nothingWrittenByTheCorpus(String kind) {
    Env env = env(kind);
    assertThat(changes(env.initial(), state(env.db()))).as("written by the corpus").isEmpty();
  }

  /** Shows the state comparison sees a write: the same node accepts and records a valid update. */
  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @Order(3)
  @DisplayName("control: a valid readiness update to the same node is accepted and seen as a write")
  void validUpdateIsSeen(String kind) {
    Env env = env(kind);
    Map<String, String> before = state(env.db());
    Http.Response r = send(env.base(), new Req("PATCH", "/api/v1/facilities/general/readiness",
        Map.of("Content-Type", "application/json"), utf8("{\"edStatus\":\"advisory\"}"), false));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(changes(before, state(env.db()))).isNotEmpty();
  }

  @AfterAll
  void tearDown() {
    for (Env env : envs.values()) {
      env.nodes().close();
      env.db().close();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Checking an answer

  private static void assertRefused(Case c, Http.Response r) {
    String body = r.body() == null ? "" : r.body();
    assertThat(r.status()).as("status of %s; body: %s", c, abbreviate(body, 500)).isBetween(400, 499);
    assertThat(body).as("no stack trace or internals in the answer").doesNotContain("at io.", "at java.",
        "Exception", "java.", "\tat ");
    String type = r.header("content-type");
    if (type != null && type.toLowerCase(Locale.ROOT).startsWith("text/html")) {
      assertThat(body).as("markup echoed into an HTML answer").doesNotContain("<script>", "<img");
    }
    JsonObject error = Refusal.jsonError(r);
    assertThat(c.statuses()).as("a fitting status for %s; got %d %s", c, r.status(), abbreviate(body, 300))
        .contains(r.status());
    String field = error.getString("field");
    if (Set.of("path", "query", "header").contains(c.group())) {
      assertThat(field).as("a request without a body blamed on its body: %s", abbreviate(body, 300))
          .isNotEqualTo("body");
    }
    if (c.field() != null && field != null) {
      assertThat(names(field, c.field())).as("error.field '%s' names '%s' (%s)", field, c.field(), abbreviate(body, 300))
          .isTrue();
    }
  }

  /** The server names the field itself, its parent object, or a property inside it. */
  private static boolean names(String reported, String expected) {
    return reported.equals(expected) || expected.startsWith(reported + ".") || reported.startsWith(expected + ".")
        || expected.endsWith("." + reported);
  }

  // ---------------------------------------------------------------------------------------------
  // Sending

  private static Http.Response send(String base, Req req) {
    // HTTP/1.1, as curl or a browser speaks it without TLS (no h2c upgrade).
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + req.path())).version(HttpClient.Version.HTTP_1_1)
        .method(req.method(), req.body() == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(req.body()));
    req.headers().forEach(b::header);
    return req.anonymous() ? Http.anonymous(b) : Http.send(b);
  }

  // ---------------------------------------------------------------------------------------------
  // "Nothing written": the journal head, and each table's row count and content digest

  private static Map<String, String> state(TestDatabase db) {
    Map<String, String> s = new LinkedHashMap<>();
    try (Connection c = DriverManager.getConnection(db.url, db.user, "")) {
      s.put("journal_head.seq", String.join(",", rows(c, "SELECT seq FROM journal_head ORDER BY id")));
      for (String table : TABLES) {
        // A refused sign-in counts against its account (the lockout's state): that is not a write of the request's.
        List<String> rows = rows(c, "app_user".equals(table)
            ? "SELECT id, username, password_hash, user_role, facilities, created_at, created_by, disabled, token_version,"
                + " must_change_password FROM app_user"
            : "SELECT * FROM " + table);
        s.put(table + " rows", Integer.toString(rows.size()));
        s.put(table + " content", digest(rows));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return s;
  }

  /** Nothing is on its way: every notification is final and every journal cursor has read the whole journal. */
  private static boolean nothingOnItsWay(TestDatabase db) {
    return db.count("SELECT COUNT(*) FROM notification WHERE status IN ('queued', 'sending', 'sent')") == 0
        && db.count("SELECT COUNT(*) FROM journal_cursor WHERE seq < (SELECT COALESCE(MAX(seq), 0) FROM journal)") == 0;
  }

  /** What differs between two states, as "incident rows: 0 -> 1". */
  private static List<String> changes(Map<String, String> before, Map<String, String> after) {
    List<String> out = new ArrayList<>();
    before.forEach((k, v) -> {
      if (!v.equals(after.get(k))) {
        out.add(k + ": " + v.replace("\u0001", "") + " -> " + String.valueOf(after.get(k)).replace("\u0001", ""));
      }
    });
    return out;
  }

  private static List<String> rows(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      ResultSetMetaData meta = rs.getMetaData();
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
          row.append(rs.getString(i)).append('\u0001');
        }
        out.add(row.toString());
      }
    }
    return out;
  }

  private static String digest(List<String> rows) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      rows.stream().sorted().forEach(r -> sha.update(utf8(r + "\n")));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Env env(String kind) {
    Env env = envs.get(kind);
    if (env == null) {
      TestDatabase db = TestDatabase.create(kind);
      TestNodes nodes = new TestNodes(db);
      Muster node = nodes.start();
      env = new Env(db, nodes, node, TestNodes.baseUrl(node), state(db), new LinkedHashSet<>());
      envs.put(kind, env);
    }
    return env;
  }

  // ---------------------------------------------------------------------------------------------
  // The corpus

  static synchronized List<Case> cases() {
    if (corpus == null) {
      corpus = new Generator(readContract()).generate();
    }
    return corpus;
  }

  private static JsonNode readContract() {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(CONTRACT.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Walks the contract's operations and writes down, for each, the invalid variants of its inputs. */
  private static final class Generator {
    private final JsonNode root;
    private final Map<String, Case> out = new LinkedHashMap<>();

    Generator(JsonNode root) {
      this.root = root;
    }

    List<Case> generate() {
      List<Op> ops = operations();
      assertThat(ops).as("operations in %s", CONTRACT).isNotEmpty();
      for (Op op : ops) {
        assertThat(op.role()).as("x-muster-role of %s", op.id()).isNotNull();
        for (JsonNode p : op.params()) {
          switch (p.path("in").asText()) {
            case "path" -> pathParameter(op, p);
            case "query" -> queryParameter(op, p);
            case "header" -> headerParameter(op, p);
            default -> { }
          }
        }
        if (op.body() != null) {
          body(op);
        } else if (!"GET".equals(op.method())) {
          add("content-type", op.id() + ": a text/plain body on an operation that takes none",
              req(op, null, "text/plain", utf8("hello")), Set.of(415), "Content-Type");
          add("content-type", op.id() + ": an XML body on an operation that takes none",
              req(op, null, "application/xml", utf8("<a>1</a>")), Set.of(415), "Content-Type");
        }
      }
      methods(ops);
      authentication();
      return new ArrayList<>(out.values());
    }

    // -- the contract

    private List<Op> operations() {
      List<Op> ops = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> paths = root.path("paths").fields(); paths.hasNext(); ) {
        Map.Entry<String, JsonNode> path = paths.next();
        for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
          Map.Entry<String, JsonNode> m = methods.next();
          if (!Set.of("get", "post", "put", "patch", "delete").contains(m.getKey())) {
            continue;
          }
          JsonNode o = m.getValue();
          List<JsonNode> params = new ArrayList<>();
          o.path("parameters").forEach(p -> params.add(resolve(p)));
          JsonNode body = o.path("requestBody").path("content").path("application/json").path("schema");
          ops.add(new Op(o.path("operationId").asText(), m.getKey().toUpperCase(Locale.ROOT), path.getKey(),
              o.path("x-muster-role").isMissingNode() ? null : o.path("x-muster-role").asText(), params,
              body.isMissingNode() ? null : resolve(body)));
        }
      }
      return ops;
    }

    private JsonNode resolve(JsonNode node) {
      JsonNode n = node;
      while (n != null && n.has("$ref")) {
        n = root.at(n.get("$ref").asText().substring(1));
      }
      return n;
    }

    private JsonNode property(JsonNode objectSchema, String name) {
      return resolve(objectSchema.path("properties").path(name));
    }

    // -- valid values: the base every mutation starts from

    private JsonNode valid(Op op, String name, JsonNode schema) {
      JsonNode s = resolve(schema);
      if (s.has("enum")) {
        return s.get("enum").get(0);
      }
      String type = s.path("type").asText("object");
      switch (type) {
        case "string": {
          String hint = VALID.getOrDefault(op.id() + ":" + name, VALID.get(name));
          return NODES.textNode(hint != null ? hint : "x".repeat(Math.max(1, s.path("minLength").asInt(1))));
        }
        case "integer":
          return NODES.numberNode(Math.max(1, s.path("minimum").asInt(1)));
        case "boolean":
          return NODES.booleanNode(false);
        case "array": {
          ArrayNode a = NODES.arrayNode();
          a.add(valid(op, name, s.path("items")));
          return a;
        }
        default:
          return validObject(op, s);
      }
    }

    /** The smallest valid object: its required properties, or else its first property. */
    private ObjectNode validObject(Op op, JsonNode s) {
      ObjectNode o = NODES.objectNode();
      s.path("required").forEach(r -> o.set(r.asText(), valid(op, r.asText(), property(s, r.asText()))));
      if (o.isEmpty() && s.path("minProperties").asInt(0) > 0) {
        if (s.has("properties")) {
          String first = s.get("properties").fieldNames().next();
          o.set(first, valid(op, first, property(s, first)));
        } else if (s.path("additionalProperties").isObject()) {
          o.set("gloves", valid(op, "gloves", s.get("additionalProperties")));
        }
      }
      return o;
    }

    private String pathFor(Op op, String hostileName, String encodedValue) {
      String path = op.path();
      for (JsonNode p : op.params()) {
        if (!"path".equals(p.path("in").asText())) {
          continue;
        }
        String name = p.path("name").asText();
        String value = name.equals(hostileName) ? encodedValue
            : encode(PATH_BASE.getOrDefault(op.id() + ":" + name, UNKNOWN_UUID));
        path = path.replace("{" + name + "}", value);
      }
      return path;
    }

    private byte[] validBody(Op op) {
      return op.body() == null ? null : utf8(validObject(op, op.body()).toString());
    }

    private Req req(Op op, String hostileParam, String encodedValue, String contentType, byte[] body) {
      Map<String, String> headers = new LinkedHashMap<>();
      if (contentType != null) {
        headers.put("Content-Type", contentType);
      }
      return new Req(op.method(), pathFor(op, hostileParam, encodedValue), headers, body, false);
    }

    private Req req(Op op, String path, String contentType, byte[] body) {
      Map<String, String> headers = new LinkedHashMap<>();
      if (contentType != null) {
        headers.put("Content-Type", contentType);
      }
      return new Req(op.method(), path == null ? pathFor(op, null, null) : path, headers, body, false);
    }

    private Req jsonReq(Op op, String json) {
      return req(op, null, "application/json", utf8(json));
    }

    private void add(String group, String name, Req req, Set<Integer> statuses, String field) {
      Case c = new Case(group, name, req, statuses, field);
      out.putIfAbsent(c.toString(), c);
    }

    // -- parameters

    private void pathParameter(Op op, JsonNode p) {
      String name = p.path("name").asText();
      JsonNode schema = resolve(p.path("schema"));
      String where = op.id() + " " + op.method() + " path {" + name + "}";
      Set<Integer> notFoundOrInvalid = Set.of(400, 404);
      // With several ids in the path, the server may name whichever it looks up first.
      long ids = op.params().stream().filter(q -> "path".equals(q.path("in").asText())).count();
      String field = ids > 1 ? null : name;
      byte[] body = validBody(op);
      String type = body == null ? null : "application/json";
      for (String[] inj : INJECTIONS) {
        add("path", where + " = " + inj[0] + " (encoded)", req(op, name, encode(inj[1]), type, body),
            notFoundOrInvalid, field);
      }
      // As typed into a URL, undecoded: the server's own decoding and normalisation meet them.
      for (String raw : List.of("%27%20OR%201=1", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2F..%2Fetc%2Fpasswd",
          "%00", "%0d%0aX-Injected:%201", "%252e%252e%252f", "%C0%AE%C0%AE%2F", "%ff%fe", "..;", "*")) {
        add("path", where + " = raw " + raw, req(op, name, raw, type, body), notFoundOrInvalid, null);
      }
      if (schema.has("maxLength")) {
        int max = schema.get("maxLength").asInt();
        add("path", where + " one character over maxLength " + max, req(op, name, "a".repeat(max + 1), type, body),
            notFoundOrInvalid, field);
        add("path", where + " of 2000 characters", req(op, name, "a".repeat(2000), type, body),
            notFoundOrInvalid, field);
      }
      if (schema.has("pattern")) {
        add("path", where + " not matching " + schema.get("pattern").asText(),
            req(op, name, encode("NOT-HEX-" + "Z".repeat(24)), type, body), notFoundOrInvalid, field);
      }
      add("path", where + " = unicode look-alike", req(op, name, encode("gеnеrаl"), type, body), notFoundOrInvalid,
          field);
    }

    private void queryParameter(Op op, JsonNode p) {
      String name = p.path("name").asText();
      JsonNode schema = resolve(p.path("schema"));
      String where = op.id() + " query " + name;
      List<String[]> values = new ArrayList<>();
      if (schema.has("enum")) {
        String first = schema.get("enum").get(0).asText();
        values.add(new String[] {"outside the enum", "bogus"});
        values.add(new String[] {"enum value in upper case", first.toUpperCase(Locale.ROOT)});
        values.add(new String[] {"enum value with a trailing blank", first + " "});
        values.add(new String[] {"a number", "42"});
        values.add(new String[] {"empty", ""});
        values.add(new String[] {"100 KB", "x".repeat(HUGE)});
      }
      for (String[] inj : INJECTIONS) {
        values.add(new String[] {inj[0], inj[1]});
      }
      for (String[] v : values) {
        if (!violates(schema, v[1])) {
          continue;
        }
        String path = pathFor(op, null, null) + "?" + name + "=" + encode(v[1]);
        Set<Integer> statuses = v[1].length() >= HUGE ? Set.of(414) : Set.of(400);
        add("query", where + " = " + v[0], req(op, path, null, null), statuses, name);
      }
    }

    private void headerParameter(Op op, JsonNode p) {
      String name = p.path("name").asText();
      JsonNode schema = resolve(p.path("schema"));
      String where = op.id() + " header " + name;
      List<String[]> values = new ArrayList<>();
      if (schema.has("maxLength")) {
        values.add(new String[] {"one character over maxLength " + schema.get("maxLength").asInt(),
            "k".repeat(schema.get("maxLength").asInt() + 1)});
        values.add(new String[] {"of 4000 characters", "k".repeat(4000)});
      }
      values.add(new String[] {"of 10000 characters", "k".repeat(10_000)});
      values.add(new String[] {"with a blank inside", "retry key 1"});
      for (String[] inj : INJECTIONS) {
        values.add(new String[] {inj[0], inj[1]});
      }
      for (String[] v : values) {
        // Only values the contract refuses; and only what an HTTP client can put in a header at all.
        if (!violates(schema, v[1]) || !sendableHeader(name, v[1])) {
          continue;
        }
        Req r = req(op, null, "application/json", validBody(op));
        r.headers().put(name, v[1]);
        // Past the server's header size limit the HTTP layer answers 431.
        add("header", where + " " + v[0], r, v[1].length() > 8000 ? Set.of(400, 431) : Set.of(400), name);
      }
    }

    private boolean sendableHeader(String name, String value) {
      try {
        HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header(name, value);
        return true;
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    /** Whether a string breaks the schema's own rules (enum, length, pattern). */
    private boolean violates(JsonNode schema, String value) {
      if (schema.has("enum")) {
        boolean listed = false;
        for (JsonNode e : schema.get("enum")) {
          listed |= e.asText().equals(value);
        }
        if (!listed) {
          return true;
        }
      }
      int length = value.codePointCount(0, value.length());
      if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
        return true;
      }
      if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
        return true;
      }
      return schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value).find();
    }

    // -- bodies

    private void body(Op op) {
      ObjectNode base = validObject(op, op.body());
      String where = op.id() + " body";
      walk(op, op.body(), List.of(), base);
      wholeBody(op, base, where);
    }

    /** Mutations of each property of an object schema, with the object at {@code at} in the body. */
    private void walk(Op op, JsonNode schema, List<String> at, ObjectNode base) {
      JsonNode s = resolve(schema);
      Set<String> seenRefs = new LinkedHashSet<>();
      if (s.has("properties")) {
        for (Iterator<Map.Entry<String, JsonNode>> it = s.get("properties").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          List<String> path = append(at, e.getKey());
          JsonNode propSchema = resolve(e.getValue());
          String ref = e.getValue().path("$ref").asText(null);
          if (ref != null && !seenRefs.add(ref)) {
            // The same schema under another name: one wrong-type case shows it is checked there too.
            add("type", op.id() + " body." + dotted(path) + " is a string", jsonReq(op, with(base, path,
                NODES.textNode("x"))), Set.of(400), dotted(path));
            continue;
          }
          leaf(op, path, propSchema, base);
          if (propSchema.path("type").asText("").equals("object") || propSchema.has("properties")) {
            walk(op, propSchema, path, base);
          }
        }
      }
      String where = op.id() + " body" + (at.isEmpty() ? "" : "." + dotted(at));
      if (s.path("additionalProperties").isBoolean() && !s.get("additionalProperties").asBoolean()) {
        List<String> extra = append(at, "isAdmin");
        add("extra", where + " with an unknown property", jsonReq(op, with(base, extra, NODES.booleanNode(true))),
            Set.of(400), dotted(extra));
        List<String> proto = append(at, "__proto__");
        ObjectNode polluted = NODES.objectNode();
        polluted.put("isAdmin", true);
        add("extra", where + " with a __proto__ property", jsonReq(op, with(base, proto, polluted)), Set.of(400),
            dotted(proto));
      }
      if (s.path("additionalProperties").isObject()) {
        mapObject(op, s, at, base, where);
      }
      s.path("required").forEach(r -> add("required", where + " without required " + r.asText(),
          jsonReq(op, without(base, append(at, r.asText()))), Set.of(400), dotted(append(at, r.asText()))));
      if (s.path("minProperties").asInt(0) > 0 && !at.isEmpty()) {
        add("range", where + " is an empty object (minProperties " + s.get("minProperties").asInt() + ")",
            jsonReq(op, with(base, at, NODES.objectNode())), Set.of(400), dotted(at));
      }
    }

    /** An object whose keys are free but checked (propertyNames) and whose values share one schema. */
    private void mapObject(Op op, JsonNode s, List<String> at, ObjectNode base, String where) {
      JsonNode values = resolve(s.get("additionalProperties"));
      List<String> keyed = append(at, "gloves");
      leaf(op, keyed, values, base);
      String pattern = s.path("propertyNames").path("pattern").asText(null);
      if (pattern != null) {
        List<String[]> keys = new ArrayList<>(INJECTIONS);
        keys.add(new String[] {"upper case", "Gloves"});
        keys.add(new String[] {"33 characters", "g".repeat(33)});
        keys.add(new String[] {"empty", ""});
        for (String[] k : keys) {
          if (!Pattern.compile(pattern).matcher(k[1]).find()) {
            ObjectNode map = NODES.objectNode();
            map.set(k[1], valid(op, "gloves", values));
            add("key", where + " key = " + k[0], jsonReq(op, with(base, at, map)), Set.of(400), null);
          }
        }
      }
      if (s.has("maxProperties")) {
        int max = s.get("maxProperties").asInt();
        ObjectNode map = NODES.objectNode();
        for (int i = 0; i <= max; i++) {
          map.set("item-" + i, valid(op, "gloves", values));
        }
        add("range", where + " with " + (max + 1) + " entries (maxProperties " + max + ")", jsonReq(op, with(base, at,
            map)), Set.of(400), dotted(at));
      }
    }

    /** The invalid variants of one property. */
    private void leaf(Op op, List<String> path, JsonNode schema, ObjectNode base) {
      String field = dotted(path);
      String where = op.id() + " body." + field;
      String type = schema.has("enum") ? "string" : schema.path("type").asText("object");
      Set<Integer> invalid = Set.of(400);
      // Wrong JSON types.
      Map<String, JsonNode> wrong = new LinkedHashMap<>();
      wrong.put("a number", NODES.numberNode(42));
      wrong.put("a fraction", NODES.numberNode(1.5));
      wrong.put("a string", NODES.textNode("42"));
      wrong.put("a boolean", NODES.booleanNode(true));
      wrong.put("null", NODES.nullNode());
      wrong.put("an object", NODES.objectNode().put("value", "x"));
      wrong.put("an array", NODES.arrayNode().add("x"));
      wrong.keySet().removeIf(k -> fits(type, wrong.get(k)));
      wrong.forEach((label, v) -> add("type", where + " is " + label, jsonReq(op, with(base, path, v)), invalid, field));
      switch (type) {
        case "string" -> stringLeaf(op, path, schema, base, where);
        case "integer" -> integerLeaf(op, path, schema, base, where);
        case "boolean" -> add("type", where + " is the string \"true\"", jsonReq(op, with(base, path,
            NODES.textNode("true"))), invalid, field);
        case "array" -> arrayLeaf(op, path, schema, base, where);
        default -> { }
      }
    }

    private void stringLeaf(Op op, List<String> path, JsonNode s, ObjectNode base, String where) {
      String field = dotted(path);
      String name = path.get(path.size() - 1);
      Set<Integer> invalid = Set.of(400);
      if (s.path("minLength").asInt(0) > 0) {
        add("range", where + " is empty (minLength " + s.get("minLength").asInt() + ")",
            jsonReq(op, with(base, path, NODES.textNode(""))), invalid, field);
      }
      if (s.has("maxLength")) {
        int max = s.get("maxLength").asInt();
        add("range", where + " is one over maxLength " + max, jsonReq(op, with(base, path,
            NODES.textNode("x".repeat(max + 1)))), invalid, field);
      }
      add("size", where + " is a 100 KB string", jsonReq(op, with(base, path, NODES.textNode("x".repeat(HUGE)))),
          Set.of(413, 400), null);
      if (s.has("enum")) {
        String first = s.get("enum").get(0).asText();
        add("enum", where + " is outside the enum", jsonReq(op, with(base, path, NODES.textNode("not-a-value"))),
            invalid, field);
        add("enum", where + " is an enum value in upper case", jsonReq(op, with(base, path,
            NODES.textNode(first.toUpperCase(Locale.ROOT)))), invalid, field);
        add("enum", where + " is an enum value with a trailing blank", jsonReq(op, with(base, path,
            NODES.textNode(first + " "))), invalid, field);
      }
      if (FREE_TEXT.contains(op.id() + ":" + name)) {
        return;
      }
      // A closed value (enum, id, reference, name): hostile strings are not valid values here.
      Set<Integer> statuses = switch (op.id()) {
        // Wrong passwords in a row lock the account for a growing while: 429.
        case "login" -> Set.of(400, 401, 429);
        case "changePassword" -> Set.of(400, 403);
        default -> Set.of(400, 422);
      };
      for (String[] inj : INJECTIONS) {
        add("injection", where + " = " + inj[0], jsonReq(op, with(base, path, NODES.textNode(inj[1]))), statuses,
            field);
      }
      // Valid JSON syntax, but not a Unicode string: half a surrogate pair.
      add("injection", where + " = a lone surrogate (\\ud800)", jsonReq(op, withRaw(base, path, "\"x\\ud800\"")),
          statuses, field);
      add("injection", where + " = a reversed surrogate pair (\\udc00\\ud800)", jsonReq(op, withRaw(base, path,
          "\"\\udc00\\ud800\"")), statuses, field);
    }

    private void integerLeaf(Op op, List<String> path, JsonNode s, ObjectNode base, String where) {
      String field = dotted(path);
      Set<Integer> invalid = Set.of(400);
      if (s.has("minimum")) {
        long min = s.get("minimum").asLong();
        add("range", where + " is below minimum " + min, jsonReq(op, with(base, path, NODES.numberNode(min - 1))),
            invalid, field);
        add("range", where + " is " + Long.MIN_VALUE, jsonReq(op, with(base, path, NODES.numberNode(Long.MIN_VALUE))),
            invalid, field);
      }
      if (s.has("maximum")) {
        long max = s.get("maximum").asLong();
        add("range", where + " is above maximum " + max, jsonReq(op, with(base, path, NODES.numberNode(max + 1))),
            invalid, field);
        add("range", where + " is " + Integer.MAX_VALUE + " + 1", jsonReq(op, with(base, path,
            NODES.numberNode((long) Integer.MAX_VALUE + 1))), invalid, field);
      }
      for (String raw : List.of("1e309", "-1e309", "99999999999999999999", "-99999999999999999999",
          "1" + "0".repeat(400), "1.0e400")) {
        add("number", where + " = " + abbreviate(raw, 24), jsonReq(op, withRaw(base, path, raw)), invalid, field);
      }
      for (String raw : List.of("NaN", "Infinity", "0x10", "+1", "01")) {
        add("syntax", where + " = " + raw + " (not JSON)", jsonReq(op, withRaw(base, path, raw)), invalid, null);
      }
    }

    private void arrayLeaf(Op op, List<String> path, JsonNode s, ObjectNode base, String where) {
      String field = dotted(path);
      String name = path.get(path.size() - 1);
      Set<Integer> invalid = Set.of(400);
      JsonNode items = resolve(s.path("items"));
      JsonNode item = valid(op, name, items);
      if (s.path("minItems").asInt(0) > 0) {
        add("range", where + " is empty (minItems " + s.get("minItems").asInt() + ")",
            jsonReq(op, with(base, path, NODES.arrayNode())), invalid, field);
      }
      if (s.has("maxItems")) {
        int max = s.get("maxItems").asInt();
        ArrayNode a = NODES.arrayNode();
        for (int i = 0; i <= max; i++) {
          a.add(item);
        }
        add("range", where + " has " + (max + 1) + " items (maxItems " + max + ")", jsonReq(op, with(base, path, a)),
            invalid, field);
      }
      Map<String, JsonNode> wrongItems = new LinkedHashMap<>();
      wrongItems.put("a number", NODES.numberNode(1));
      wrongItems.put("null", NODES.nullNode());
      wrongItems.put("an object", NODES.objectNode());
      wrongItems.put("an array", NODES.arrayNode().add(item));
      wrongItems.put("a boolean", NODES.booleanNode(true));
      String itemType = items.path("type").asText("string");
      wrongItems.keySet().removeIf(k -> fits(itemType, wrongItems.get(k)));
      wrongItems.forEach((label, v) -> add("type", where + " has an item that is " + label,
          jsonReq(op, with(base, path, NODES.arrayNode().add(v))), invalid, field));
      if ("string".equals(itemType)) {
        if (items.path("minLength").asInt(0) > 0) {
          add("range", where + " has an empty item", jsonReq(op, with(base, path, NODES.arrayNode().add(""))),
              invalid, field);
        }
        if (items.has("maxLength")) {
          add("range", where + " has an item one over maxLength " + items.get("maxLength").asInt(),
              jsonReq(op, with(base, path, NODES.arrayNode().add("x".repeat(items.get("maxLength").asInt() + 1)))),
              invalid, field);
        }
        for (String[] inj : INJECTIONS) {
          add("injection", where + " has an item = " + inj[0], jsonReq(op, with(base, path,
              NODES.arrayNode().add(inj[1]))), Set.of(400, 422), field);
        }
      }
    }

    private boolean fits(String type, JsonNode v) {
      return switch (type) {
        case "string" -> v.isTextual();
        case "integer" -> v.isIntegralNumber();
        case "number" -> v.isNumber();
        case "boolean" -> v.isBoolean();
        case "array" -> v.isArray();
        default -> v.isObject();
      };
    }

    /** Malformed, hostile or oversized bodies as a whole, and bodies of the wrong media type. */
    private void wholeBody(Op op, ObjectNode base, String where) {
      String valid = base.toString();
      String first = base.fieldNames().hasNext() ? base.fieldNames().next() : "edStatus";
      Set<Integer> invalid = Set.of(400);
      Map<String, String> syntax = new LinkedHashMap<>();
      syntax.put("is not JSON", "{" + first + ": x");
      syntax.put("is truncated", valid.substring(0, valid.length() - 1));
      syntax.put("has trailing garbage", valid + "xyz");
      syntax.put("is two JSON documents", valid + valid);
      syntax.put("has a comment", "/* c */" + valid);
      syntax.put("uses single quotes", valid.replace('"', '\''));
      syntax.put("has a trailing comma", valid.substring(0, valid.length() - 1) + ",}");
      syntax.put("is a JSON array", "[" + valid + "]");
      syntax.put("is JSON null", "null");
      syntax.put("is a JSON string", "\"" + valid.replace("\"", "\\\"") + "\"");
      syntax.put("is a JSON number", "42");
      syntax.put("is JSON true", "true");
      syntax.put("is empty", "");
      syntax.put("is only blanks", "   \n\t ");
      syntax.put("is an empty object", "{}");
      syntax.put("is an XML document", "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>");
      syntax.forEach((label, body) -> add("syntax", where + " " + label, jsonReq(op, body), invalid, null));

      add("nesting", where + " is " + DEPTH + " nested arrays", jsonReq(op, "[".repeat(DEPTH) + "]".repeat(DEPTH)),
          Set.of(400, 413), null);
      add("nesting", where + " is " + DEPTH + " nested objects",
          jsonReq(op, "{\"a\":".repeat(DEPTH) + "1" + "}".repeat(DEPTH)), Set.of(400, 413), null);
      add("nesting", where + "." + first + " is " + DEPTH + " nested arrays",
          jsonReq(op, withRaw(base, List.of(first), "[".repeat(DEPTH) + "]".repeat(DEPTH))), Set.of(400, 413), null);
      add("nesting", where + " has an unknown property of " + DEPTH + " nested objects",
          jsonReq(op, withRaw(base, List.of("deep"), "{\"a\":".repeat(DEPTH) + "1" + "}".repeat(DEPTH))),
          Set.of(400, 413), null);

      // Duplicate keys: whichever copy a parser keeps, one of them is invalid.
      JsonNode good = base.get(first);
      JsonNode bad = invalidValue(op, first);
      if (good != null) {
        String rest = without(base, List.of(first)).toString();
        String tail = rest.length() > 2 ? "," + rest.substring(1) : "}";
        add("duplicate", where + " has key " + first + " twice, the second invalid",
            jsonReq(op, "{\"" + first + "\":" + good + ",\"" + first + "\":" + bad + tail), invalid, null);
        add("duplicate", where + " has key " + first + " twice, the first invalid",
            jsonReq(op, "{\"" + first + "\":" + bad + ",\"" + first + "\":" + good + tail), invalid, null);
      }

      // Bytes that are not UTF-8, inside a value that must be an id or a name (never free text).
      String closed = closedStringProperty(op);
      Map<String, byte[]> bytes = new LinkedHashMap<>();
      bytes.put("a lone continuation byte", new byte[] {(byte) 0x80});
      bytes.put("an overlong '/'", new byte[] {(byte) 0xC0, (byte) 0xAF});
      bytes.put("a truncated sequence", new byte[] {(byte) 0xE2, (byte) 0x82});
      bytes.put("0xFF 0xFE", new byte[] {(byte) 0xFF, (byte) 0xFE});
      bytes.put("an encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
      for (Map.Entry<String, byte[]> b : bytes.entrySet()) {
        String marker = "@@bytes@@";
        String text = (closed == null ? withRaw(base, List.of("junk"), "\"" + marker + "\"")
            : with(base, List.of(closed), NODES.textNode(marker)));
        byte[] body = splice(utf8(text), utf8(marker), b.getValue());
        add("utf8", where + (closed == null ? ".junk" : "." + closed) + " has invalid UTF-8: " + b.getKey(),
            req(op, null, "application/json", body), Set.of(400, 422, 401, 403), null);
      }
      add("utf8", where + " starts with a UTF-16 byte order mark", req(op, null, "application/json",
          concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, valid.getBytes(StandardCharsets.UTF_16BE))), invalid, null);

      add("size", where + " is 100 KB", jsonReq(op, withRaw(base, List.of("padding"),
          "\"" + "x".repeat(HUGE) + "\"")), Set.of(413), null);
      add("size", where + " is 1 MB of blanks before valid JSON", jsonReq(op, " ".repeat(1 << 20) + valid),
          Set.of(413), null);

      // A valid JSON body, but not said to be JSON.
      Map<String, String> types = new LinkedHashMap<>();
      types.put("text/plain", "text/plain");
      types.put("application/xml", "application/xml");
      types.put("form-urlencoded", "application/x-www-form-urlencoded");
      types.put("multipart/form-data", "multipart/form-data; boundary=x");
      types.put("text/json", "text/json");
      types.put("application/javascript", "application/javascript");
      types.put("text/html", "text/html");
      types.put("application/octet-stream", "application/octet-stream");
      types.put("a garbage type", "<script>alert(1)</script>");
      types.forEach((label, type) -> add("content-type", where + " sent as " + label, req(op, null, type,
          utf8(valid)), Set.of(415), "Content-Type"));
      add("content-type", where + " sent without a content type", req(op, null, null, utf8(valid)), Set.of(415),
          "Content-Type");
    }

    /** A value the schema refuses for a property (too long, or outside the enum). */
    private JsonNode invalidValue(Op op, String property) {
      JsonNode s = property(op.body(), property);
      if (s.has("enum")) {
        return NODES.textNode("not-a-value");
      }
      if ("string".equals(s.path("type").asText()) && s.has("maxLength")) {
        return NODES.textNode("x".repeat(s.get("maxLength").asInt() + 1));
      }
      if ("string".equals(s.path("type").asText())) {
        return NODES.numberNode(42);
      }
      return NODES.textNode("x");
    }

    /** A required or first string property that is not free text, if the body has one. */
    private String closedStringProperty(Op op) {
      for (Iterator<Map.Entry<String, JsonNode>> it = op.body().path("properties").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode s = resolve(e.getValue());
        if ("string".equals(s.path("type").asText()) && !s.has("enum") && !FREE_TEXT.contains(op.id() + ":" + e.getKey())
            && validObject(op, op.body()).has(e.getKey())) {
          return e.getKey();
        }
      }
      return null;
    }

    // -- methods and credentials

    /** A method the contract does not list on a path. */
    private void methods(List<Op> ops) {
      Map<String, Op> byPath = new LinkedHashMap<>();
      Map<String, Set<String>> listed = new HashMap<>();
      for (Op op : ops) {
        byPath.putIfAbsent(op.path(), op);
        listed.computeIfAbsent(op.path(), k -> new LinkedHashSet<>()).add(op.method());
      }
      byPath.forEach((path, op) -> {
        for (String method : List.of("DELETE", "PUT")) {
          if (!listed.get(path).contains(method)) {
            Req r = req(op, null, null, null);
            add("method", method + " " + path, new Req(method, r.path(), r.headers(), null, false),
                Set.of(404, 405), null);
          }
        }
      });
    }

    /** Hostile credentials: they must be refused (401) before anything else happens. */
    private void authentication() {
      String target = "/api/v1/users";
      String header = Base64.getUrlEncoder().withoutPadding().encodeToString(utf8("{\"alg\":\"none\",\"typ\":\"JWT\"}"));
      String claims = Base64.getUrlEncoder().withoutPadding().encodeToString(utf8(
          "{\"sub\":\"admin\",\"role\":\"admin\",\"exp\":4102444800}"));
      Map<String, String[]> creds = new LinkedHashMap<>();
      creds.put("Bearer with SQL", new String[] {"Authorization", "Bearer ' OR '1'='1"});
      creds.put("Bearer with markup", new String[] {"Authorization", "Bearer <script>alert(1)</script>"});
      creds.put("Bearer with a JNDI lookup", new String[] {"Authorization", "Bearer ${jndi:ldap://x/a}"});
      creds.put("Bearer JWT with alg none", new String[] {"Authorization", "Bearer " + header + "." + claims + "."});
      creds.put("Bearer with an empty token", new String[] {"Authorization", "Bearer "});
      creds.put("Bearer with 6000 characters", new String[] {"Authorization", "Bearer " + "a".repeat(6000)});
      creds.put("Basic with the admin password", new String[] {"Authorization", "Basic " + Base64.getEncoder()
          .encodeToString(utf8(TestNodes.ADMIN_USER + ":" + TestNodes.ADMIN_PASSWORD))});
      creds.put("API key with SQL", new String[] {"X-API-Key", "mk_' OR '1'='1"});
      creds.put("API key with traversal", new String[] {"X-API-Key", "../../etc/passwd"});
      creds.put("API key well-formed but unknown", new String[] {"X-API-Key", "mk_" + "0".repeat(32) + "_" + "A".repeat(40)});
      creds.forEach((label, h) -> {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put(h[0], h[1]);
        add("auth", "GET " + target + " with " + label, new Req("GET", target, headers, null, true), Set.of(401),
            null);
      });
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Content-Type", "application/json");
      headers.put("X-API-Key", "mk_' OR '1'='1");
      add("auth", "POST /api/v1/users with a hostile API key and a valid body", new Req("POST", target, headers,
          utf8("{\"username\":\"hostile-probe\",\"password\":\"" + NEW_PASSWORD + "\",\"role\":\"admin\","
              + "\"facilities\":[\"*\"]}"), true), Set.of(401), null);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // JSON and byte helpers

  private static List<String> append(List<String> path, String key) {
    List<String> out = new ArrayList<>(path);
    out.add(key);
    return out;
  }

  private static String dotted(List<String> path) {
    return String.join(".", path);
  }

  /** The base body with the value at {@code path} set (intermediate objects made as needed). */
  private static String with(ObjectNode base, List<String> path, JsonNode value) {
    ObjectNode copy = base.deepCopy();
    ObjectNode o = copy;
    for (int i = 0; i < path.size() - 1; i++) {
      JsonNode next = o.get(path.get(i));
      if (!(next instanceof ObjectNode)) {
        next = o.putObject(path.get(i));
      }
      o = (ObjectNode) next;
    }
    if (path.size() > 1) {
      // A nested mutation stands alone in its object: the siblings the base put there would only blur it.
      o.removeAll();
    }
    o.set(path.get(path.size() - 1), value);
    return copy.toString();
  }

  /** The base body with a raw JSON text (or not-quite-JSON) at {@code path}. */
  private static String withRaw(ObjectNode base, List<String> path, String raw) {
    return with(base, path, NODES.textNode(RAW)).replace("\"" + RAW + "\"", raw);
  }

  private static String without(ObjectNode base, List<String> path) {
    return withoutNode(base, path).toString();
  }

  private static ObjectNode withoutNode(ObjectNode base, List<String> path) {
    ObjectNode copy = base.deepCopy();
    JsonNode o = copy;
    for (int i = 0; i < path.size() - 1; i++) {
      o = o.path(path.get(i));
    }
    if (o instanceof ObjectNode obj) {
      obj.remove(path.get(path.size() - 1));
    }
    return copy;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** {@code data} with the first occurrence of {@code marker} replaced by {@code bytes}. */
  private static byte[] splice(byte[] data, byte[] marker, byte[] bytes) {
    for (int i = 0; i + marker.length <= data.length; i++) {
      boolean match = true;
      for (int j = 0; j < marker.length && match; j++) {
        match = data[i + j] == marker[j];
      }
      if (match) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(data, 0, i);
        out.write(bytes, 0, bytes.length);
        out.write(data, i + marker.length, data.length - i - marker.length);
        return out.toByteArray();
      }
    }
    throw new IllegalArgumentException("marker not found");
  }

  /** Percent-encodes everything but the unreserved characters, so the server decodes exactly {@code s}. */
  private static String encode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : utf8(s)) {
      int c = x & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
          || c == '_' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return b.toString();
  }

  private static String abbreviate(String s, int max) {
    if (s == null) {
      return "null";
    }
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() <= max ? printable : printable.substring(0, max) + "...(" + s.length() + " chars)";
  }
}
