package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.muster.app.Main;
import io.muster.app.Muster;
import io.muster.app.MusterConfig;
import io.muster.security.AuditCheck;
import io.muster.security.AuditKey;
import io.muster.security.Checkpoint;
import io.muster.store.Audit;
import io.muster.store.AuditChain;
import io.muster.store.AuditWalk;
import io.muster.store.Db;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The audit log is evidence against someone who controls the database. The database refuses UPDATE
 * and DELETE; someone with the rights to get around that (the schema's owner, a superuser) may edit,
 * insert, delete or cut rows and recompute hashes, but without the audit key the keyed chain names
 * the range they touched, and a signed checkpoint kept outside the database names rows cut from the
 * end with the head moved back. Journal events are audited after their commit, off the business
 * transaction, once each even when a node dies first. The role Muster runs as cannot change the log.
 */
@Timeout(300)
class AuditLogIT {
  private static final String KEY = "audit-log-it-key-" + UUID.randomUUID();
  private static final String NODE = "node-a";
  private static final String TRIGGER = "{\"type\":\"ehr-downtime\",\"facilityId\":\"general\",\"summary\":\"Audit test\"}";

  @TempDir
  Path dir;

  private Path checkpoints() {
    return dir.resolve("audit-checkpoints.log");
  }

  /** The node's audit key and checkpoint file, the same for every node and every check of one test. */
  private JsonObject audited() {
    return new JsonObject().put("nodeId", NODE).put("security", new JsonObject().put("auditKey", KEY)
        .put("auditCheckpointFile", checkpoints().toString()));
  }

  /** A node's worth of history: sign-ins, an incident and its pages, a resolve; then the node stops. */
  private void history(TestDatabase db) {
    try (TestNodes nodes = new TestNodes(db)) {
      String base = TestNodes.baseUrl(nodes.start(audited()));
      Http.Response r = Http.postJson(base + "/api/v1/incidents", TRIGGER);
      assertThat(r.status()).isEqualTo(201);
      assertThat(Http.postJson(base + "/api/v1/incidents/" + r.json().getString("id") + "/resolve", "").status())
          .isEqualTo(200);
    }
  }

  private String verify(TestDatabase db, int expectedExit) {
    return verify(db, expectedExit, List.of(checkpoints()));
  }

  /** {@code muster audit-verify --checkpoints …} against the database, with the test's audit key. */
  private String verify(TestDatabase db, int expectedExit, List<Path> checkpointFiles) {
    return verify(db, expectedExit, KEY, checkpointFiles);
  }

  private String verify(TestDatabase db, int expectedExit, String key, List<Path> checkpointFiles) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MusterConfig config = MusterConfig.of(new JsonObject().put("db", new JsonObject().put("url", db.url).put("user", db.user))
        .put("security", new JsonObject().put("auditKey", key)));
    int exit = Main.auditVerify(config, checkpointFiles, new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(text).isEqualTo(expectedExit);
    return text;
  }

  private static void sql(TestDatabase db, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url, db.user, ""); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** What someone who may change the schema does first: lift the guard. */
  private static void unguard(TestDatabase db) throws SQLException {
    sql(db, "postgres".equals(db.kind) ? "ALTER TABLE audit_log DISABLE TRIGGER USER" : "DROP TRIGGER audit_log_no_change");
  }

  private static List<Audit.Row> rows(TestDatabase db) throws SQLException {
    List<Audit.Row> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url, db.user, ""); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT seq, logged_at, actor, origin, action, target, outcome, detail,"
             + " journal_seq, prev_hash, row_hash FROM audit_log ORDER BY seq")) {
      while (rs.next()) {
        rows.add(new Audit.Row(rs.getLong(1), Db.instant(rs.getObject(2)), new Audit.Entry(rs.getString(3),
            rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
            rs.getObject(9, Long.class)), rs.getString(10), rs.getString(11)));
      }
    }
    return rows;
  }

  private static void insert(TestDatabase db, List<Audit.Row> rows) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url, db.user, "");
         PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, logged_at, actor, origin, action, target,"
             + " outcome, detail, journal_seq, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Audit.Row r : rows) {
        Audit.Entry e = r.entry();
        ps.setLong(1, r.seq());
        ps.setObject(2, Db.ts(r.at()));
        ps.setString(3, e.actor());
        ps.setString(4, e.origin());
        ps.setString(5, e.action());
        ps.setString(6, e.target());
        ps.setString(7, e.outcome());
        ps.setString(8, e.detail());
        ps.setObject(9, e.journalSeq());
        ps.setString(10, r.prevHash());
        ps.setString(11, r.hash());
        ps.executeUpdate();
      }
    }
  }

  /** Moves the head row, as whoever hides what they did would. */
  private static void head(TestDatabase db, Audit.Row last) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url, db.user, "");
         PreparedStatement ps = c.prepareStatement("UPDATE audit_head SET seq = ?, row_hash = ? WHERE id = 1")) {
      ps.setLong(1, last.seq());
      ps.setString(2, last.hash());
      ps.executeUpdate();
    }
  }

  /** Puts the log back as it was (the guard stays lifted), between two tamperings of one history. */
  private void restore(TestDatabase db, List<Audit.Row> rows) throws SQLException {
    sql(db, "DELETE FROM audit_log");
    insert(db, rows);
    head(db, rows.get(rows.size() - 1));
    assertThat(verify(db, 0)).contains("audit log intact");
  }

  /** Rows an attacker appends after {@code prev}, hashed with {@code hasher} (plain SHA-256, or a key of their own). */
  private static List<Audit.Row> forged(Audit.Row prev, int count, BiFunction<Audit.Row, Audit.Entry, String> hasher) {
    List<Audit.Row> rows = new ArrayList<>();
    Instant at = prev.at().plusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
    Audit.Row last = prev;
    for (int i = 1; i <= count; i++) {
      Audit.Entry e = new Audit.Entry("user:admin", "127.0.0.1", "login", "user:admin", "200", "");
      Audit.Row unhashed = new Audit.Row(last.seq() + 1, at, e, last.hash(), "");
      last = new Audit.Row(unhashed.seq(), at, e, last.hash(), hasher.apply(unhashed, e));
      rows.add(last);
    }
    return rows;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("an intact log verifies against its checkpoints; UPDATE and DELETE are refused by the database")
  void intactAndGuarded(String kind) throws SQLException {
    try (TestDatabase db = TestDatabase.create(kind)) {
      history(db);
      assertThat(db.count("SELECT COUNT(*) FROM audit_log")).isGreaterThan(5);
      assertThat(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.keyed' AND seq = 1")).isEqualTo(1);
      assertThat(verify(db, 0)).contains("audit log intact").containsPattern("compared with \\d+ checkpoints");
      assertThatThrownBy(() -> sql(db, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> sql(db, "DELETE FROM audit_log WHERE seq = 2")).hasMessageContaining("append-only");
      assertThat(verify(db, 0)).contains("audit log intact");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("an edited row, an inserted row, a deleted middle range and an edited journal event are each named")
  void tamperingNamed(String kind) throws SQLException {
    try (TestDatabase db = TestDatabase.create(kind)) {
      history(db);
      unguard(db);
      List<Audit.Row> rows = rows(db);
      assertThat(rows).hasSizeGreaterThan(8);

      sql(db, "UPDATE audit_log SET actor = 'user:nobody' WHERE seq = 3");
      assertThat(verify(db, 1)).contains("TAMPERED: row 3 was changed after being written").contains("NOT intact");
      restore(db, rows);

      sql(db, "UPDATE audit_log SET seq = -seq - 1 WHERE seq >= 5", "UPDATE audit_log SET seq = -seq WHERE seq < 0");
      Audit.Row inserted = forged(rows.get(3), 1, (r, e) -> AuditChain.plain(r.prevHash(), r.seq(), r.at(), e)).get(0);
      insert(db, List.of(inserted));
      Audit.Row last = rows.get(rows.size() - 1);
      head(db, new Audit.Row(last.seq() + 1, last.at(), last.entry(), last.prevHash(), last.hash()));
      assertThat(verify(db, 1)).contains("TAMPERED: row 5 was inserted: row 6 follows row 4 directly");
      restore(db, rows);

      sql(db, "DELETE FROM audit_log WHERE seq BETWEEN 5 AND 7");
      assertThat(verify(db, 1)).contains("TAMPERED: rows 5-7 are missing: deleted from the log");
      restore(db, rows);

      long event = db.count("SELECT MIN(journal_seq) FROM audit_log WHERE journal_seq IS NOT NULL");
      long row = db.count("SELECT seq FROM audit_log WHERE journal_seq = " + event);
      sql(db, "UPDATE journal SET payload = '{}' WHERE seq = " + event);
      assertThat(verify(db, 1)).contains("TAMPERED: journal event " + event + " (audited in row " + row
          + ") was changed after being audited: the payload no longer matches its digest");
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("rows cut from the end with the head moved back are proven by a checkpoint; rows forged after them are named")
  void truncationProvenByCheckpoint(String kind) throws SQLException {
    try (TestDatabase db = TestDatabase.create(kind)) {
      history(db);
      unguard(db);
      List<Audit.Row> rows = rows(db);
      int all = rows.size();
      int kept = all - 3;
      Audit.Row end = rows.get(all - 1);
      sql(db, "DELETE FROM audit_log WHERE seq > " + kept);
      head(db, rows.get(kept - 1));

      String truncated = "checkpoint of ";
      String proof = " signed by " + NODE + " says the log had " + AuditWalk.n(all) + " rows ending in "
          + AuditWalk.shortHash(end.hash()) + "; the database has " + AuditWalk.n(kept) + ": rows " + AuditWalk.n(kept + 1)
          + "-" + AuditWalk.n(all) + " were removed from its end";
      assertThat(verify(db, 1)).contains("TAMPERED: " + truncated).contains(proof);
      assertThat(verify(db, 0, List.of(dir.resolve("elsewhere.log"))))
          .as("the keyed chain alone cannot see rows cut from the end with the head moved back")
          .contains("no checkpoints in").contains("audit log intact");

      // An attacker without the key writes rows of their own in place of the cut ones: plain SHA-256, then another key.
      AuditChain theirs = AuditKey.of("not-the-audit-key-" + UUID.randomUUID()).chain();
      for (BiFunction<Audit.Row, Audit.Entry, String> hasher : List.<BiFunction<Audit.Row, Audit.Entry, String>>of(
          (r, e) -> AuditChain.plain(r.prevHash(), r.seq(), r.at(), e), (r, e) -> theirs.keyed(r.prevHash(), r.at(), e))) {
        List<Audit.Row> fake = forged(rows.get(kept - 1), 5, hasher);
        insert(db, fake);
        head(db, fake.get(fake.size() - 1));
        assertThat(verify(db, 1))
            .contains("TAMPERED: rows " + (kept + 1) + "-" + (kept + 5) + " (to the end of the log) do not verify with the"
                + " audit key: changed, or the chain rewritten from row " + (kept + 1) + " by someone without the key")
            .contains("says row " + AuditWalk.n(all) + " ended in " + AuditWalk.shortHash(end.hash()));
        sql(db, "DELETE FROM audit_log WHERE seq > " + kept);
        head(db, rows.get(kept - 1));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("verifications while writers keep appending never report tampering (120 of them, over the API and the CLI)")
  void intactWhileBusy(String kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind); TestNodes nodes = new TestNodes(db)) {
      Muster node = nodes.start();
      String base = TestNodes.baseUrl(node);
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger written = new AtomicInteger();
      ConcurrentLinkedQueue<String> writerErrors = new ConcurrentLinkedQueue<>();
      // Each verification lets one more incident be triggered and resolved while it runs, so the log
      // grows during every walk without growing so fast that the walks take minutes on two cores.
      Semaphore go = new Semaphore(0);
      ExecutorService writers = Executors.newFixedThreadPool(2);
      for (int w = 0; w < 2; w++) {
        writers.submit(() -> {
          while (!stop.get()) {
            if (!go.tryAcquire(100, TimeUnit.MILLISECONDS)) {
              continue;
            }
            Http.Response r = Http.postJson(base + "/api/v1/incidents", TRIGGER);
            Http.Response resolved = r.status() == 201
                ? Http.postJson(base + "/api/v1/incidents/" + r.json().getString("id") + "/resolve", "") : r;
            if (resolved.status() != 200) {
              writerErrors.add(r.status() + " " + resolved.status() + " " + resolved.body());
            }
            written.incrementAndGet();
          }
          return null;
        });
      }
      List<Long> seen = new ArrayList<>();
      AuditKey key = AuditKey.of(nodes.auditKey());
      try (Db reader = Db.open(db.url, db.user, "", 2)) {
        for (int i = 0; i < 120; i++) {
          go.release();
          if (i % 2 == 0) {
            Http.Response r = Http.get(base + "/api/v1/audit/verify");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            assertThat(r.json().getBoolean("intact")).as("verification %d: %s", i, r.body()).isTrue();
            seen.add(r.json().getLong("rows"));
          } else if (i % 10 == 1) {
            String out = verify(db, 0, nodes.auditKey(), List.of(nodes.checkpointFile()));
            seen.add(Long.parseLong(out.replaceAll("(?s).*audit log intact: (\\d+) rows.*", "$1")));
          } else {
            // What audit-verify does, on a connection pool kept open: no flush, the auditor appending meanwhile.
            AuditCheck.Report r = AuditCheck.verify(reader, key, List.of(nodes.checkpointFile()));
            assertThat(r.problems()).as("verification %d", i).isEmpty();
            seen.add(r.chain().rows());
          }
        }
      } finally {
        stop.set(true);
        writers.shutdown();
        assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(writerErrors).isEmpty();
      assertThat(written.get()).isGreaterThan(20);
      assertThat(new HashSet<>(seen)).as("the log grew while it was being verified").hasSizeGreaterThan(20);
    }
  }

  @Test
  @DisplayName("a monitoring key (viewer) collects the node's newest checkpoint, which verifies with the public key it is given")
  void checkpointForCollectors() throws Exception {
    try (TestNodes nodes = TestNodes.on("h2")) {
      String base = TestNodes.baseUrl(nodes.start(audited()));
      Http.Response created = Http.postJson(base + "/api/v1/api-keys",
          "{\"name\":\"collector\",\"role\":\"viewer\",\"facilities\":[\"*\"]}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      String key = created.json().getString("key");
      Http.Response answer = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
          + "/api/v1/audit/checkpoint")).header("X-API-Key", key).GET());
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      JsonObject body = answer.json();
      Checkpoint checkpoint = Checkpoint.parse(body.getJsonObject("checkpoint").encode()).orElseThrow();
      assertThat(checkpoint.node()).isEqualTo(NODE);
      assertThat(checkpoint.seq()).isPositive();
      assertThat(checkpoint.verifies(java.util.Base64.getDecoder().decode(body.getString("publicKey")))).isTrue();
      assertThat(body.getString("publicKeyPem")).startsWith("-----BEGIN PUBLIC KEY-----");
      assertThat(java.nio.file.Files.readString(checkpoints())).contains(checkpoint.line());
      Http.Response verify = Http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
          + "/api/v1/audit/verify")).header("X-API-Key", key).GET());
      assertThat(verify.status()).as("the full check stays an administrator's").isEqualTo(403);
    }
  }

  @Test
  @DisplayName("a node killed before its auditor ran: after a restart every journal event is audited exactly once")
  void killedNodeLosesNoJournalEvent() throws Exception {
    try (TestDatabase db = TestDatabase.postgres(); TestNodes nodes = new TestNodes(db)) {
      // Node A in a JVM of its own, as an operator runs it, on the test's database, audit key and checkpoint file.
      Map<String, String> env = ChildNode.env(nodes, db);
      env.put("MUSTER_NODE_ID", NODE);
      ChildNode nodeA = ChildNode.start(env, "audit-node-a");
      String base = nodeA.base();
      try {
        try (Connection blocker = DriverManager.getConnection(db.url, db.user, "")) {
          // The auditor cannot take the audit head while this transaction holds it; business transactions go on.
          blocker.setAutoCommit(false);
          long audited;
          try (Statement s = blocker.createStatement();
               ResultSet rs = s.executeQuery("SELECT journal_seq FROM audit_head WHERE id = 1 FOR UPDATE")) {
            rs.next();
            audited = rs.getLong(1);
          }
          for (int i = 0; i < 3; i++) {
            assertThat(Http.postJson(base + "/api/v1/incidents", TRIGGER).status()).isEqualTo(201);
          }
          assertThat(db.count("SELECT seq FROM journal_head")).isGreaterThan(audited + 3);
          assertThat(db.count("SELECT journal_seq FROM audit_head")).as("nothing audited while the head is held")
              .isEqualTo(audited);
          nodeA.kill();
          blocker.rollback();
        }
      } finally {
        nodeA.kill();
      }
      long events = db.count("SELECT seq FROM journal_head");
      // Two nodes pick the backlog up together; each event must be audited once.
      List<Muster> restarted = nodes.startCluster(2);
      eventually(Duration.ofSeconds(30), () -> db.count("SELECT journal_seq FROM audit_head") >= events);
      assertThat(db.count("SELECT COUNT(*) FROM journal j WHERE j.seq <= " + events
          + " AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.journal_seq = j.seq)")).isZero();
      assertThat(db.count("SELECT COUNT(*) - COUNT(DISTINCT journal_seq) FROM audit_log WHERE journal_seq IS NOT NULL"))
          .isZero();
      Http.Response verified = Http.get(TestNodes.baseUrl(restarted.get(1)) + "/api/v1/audit/verify");
      assertThat(verified.json().getBoolean("intact")).as(verified.body()).isTrue();
    }
  }

  @Test
  @DisplayName("a node killed after its writers committed but before their events were numbered: after a restart every"
      + " event is numbered, in the order it was appended, and audited exactly once")
  void killedBeforeNumberingLosesNoJournalEvent() throws Exception {
    try (TestDatabase db = TestDatabase.postgres(); TestNodes nodes = new TestNodes(db)) {
      Map<String, String> env = ChildNode.env(nodes, db);
      env.put("MUSTER_NODE_ID", NODE);
      ChildNode nodeA = ChildNode.start(env, "numbering-node-a");
      String base = nodeA.base();
      ExecutorService requests = Executors.newFixedThreadPool(3);
      try {
        try (Connection blocker = DriverManager.getConnection(db.url, db.user, "")) {
          // Nobody can number journal events while this transaction holds the head: the triggers commit,
          // then wait for their events to be numbered, and the node is killed while they wait.
          blocker.setAutoCommit(false);
          try (Statement s = blocker.createStatement();
               ResultSet rs = s.executeQuery("SELECT seq FROM journal_head WHERE id = 1 FOR UPDATE")) {
            rs.next();
          }
          for (int i = 0; i < 3; i++) {
            requests.submit(() -> Http.postJson(base + "/api/v1/incidents", TRIGGER));
          }
          eventually(Duration.ofSeconds(30), () -> db.count("SELECT COUNT(*) FROM incident") == 3);
          eventually(Duration.ofSeconds(30), () -> db.count("SELECT COUNT(*) FROM journal WHERE seq < 0"
              + " AND event_type = 'incident.triggered'") == 3);
          nodeA.kill();
          blocker.rollback();
        }
      } finally {
        nodeA.kill();
        requests.shutdownNow();
      }
      List<Muster> restarted = nodes.startCluster(2);
      eventually(Duration.ofSeconds(30), () -> db.count("SELECT COUNT(*) FROM journal WHERE seq < 0") == 0);
      long events = db.count("SELECT seq FROM journal_head");
      assertThat(db.count("SELECT COUNT(*) FROM journal")).as("numbered without a gap").isEqualTo(events);
      assertThat(db.count("SELECT COUNT(*) FROM journal WHERE event_type = 'incident.triggered'")).isEqualTo(3);
      // Each incident's own events keep the order they were appended in: its trigger comes first.
      assertThat(db.count("SELECT COUNT(*) FROM journal j WHERE j.event_type <> 'incident.triggered' AND j.seq <"
          + " (SELECT t.seq FROM journal t WHERE t.incident_id = j.incident_id AND t.event_type = 'incident.triggered')"))
          .isZero();
      eventually(Duration.ofSeconds(30), () -> db.count("SELECT journal_seq FROM audit_head") >= events);
      assertThat(db.count("SELECT COUNT(*) FROM journal j WHERE NOT EXISTS"
          + " (SELECT 1 FROM audit_log a WHERE a.journal_seq = j.seq)")).as("journal events not audited").isZero();
      assertThat(db.count("SELECT COUNT(*) - COUNT(DISTINCT journal_seq) FROM audit_log WHERE journal_seq IS NOT NULL"))
          .isZero();
      Http.Response verified = Http.get(TestNodes.baseUrl(restarted.get(0)) + "/api/v1/audit/verify");
      assertThat(verified.json().getBoolean("intact")).as(verified.body()).isTrue();
    }
  }

  @Test
  @DisplayName("PostgreSQL with a schema owner: the role Muster runs as may read and append the log, and nothing more")
  void runtimeRoleCannotChangeTheLog() throws SQLException {
    TestDatabase.requirePostgres();
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String owner = "muster_owner_" + suffix;
    String runtime = "muster_app_" + suffix;
    admin(TestDatabase.PG_ADMIN_URL, "CREATE ROLE " + owner + " LOGIN NOSUPERUSER", "CREATE ROLE " + runtime
        + " LOGIN NOSUPERUSER");
    ListAppender<ILoggingEvent> warnings = dbWarnings();
    try (TestDatabase db = TestDatabase.postgres()) {
      admin(TestDatabase.PG_ADMIN_URL, "ALTER DATABASE " + db.url.substring(db.url.lastIndexOf('/') + 1) + " OWNER TO " + owner);
      admin(db.url, "ALTER SCHEMA public OWNER TO " + owner, "REVOKE CREATE ON SCHEMA public FROM PUBLIC");
      try (TestNodes nodes = new TestNodes(db)) {
        Muster node = nodes.start(audited().put("db", new JsonObject().put("user", runtime).put("password", "")
            .put("ownerUser", owner).put("ownerPassword", "")));
        String base = TestNodes.baseUrl(node);
        assertThat(Http.postJson(base + "/api/v1/incidents", TRIGGER).status()).isEqualTo(201);
        TestNodes.login(node, TestNodes.ADMIN_USER, TestNodes.ADMIN_PASSWORD);
        Http.Response verified = Http.get(base + "/api/v1/audit/verify");
        assertThat(verified.json().getBoolean("intact")).as(verified.body()).isTrue();
        assertThat(db.count("SELECT COUNT(*) FROM audit_log WHERE action = 'event incident.triggered'")).isEqualTo(1);
        assertThat(warnings.list).as("no warning when the runtime role is not the owner")
            .noneMatch(e -> e.getLevel() == Level.WARN);

        try (Connection c = DriverManager.getConnection(db.url, runtime, ""); Statement s = c.createStatement()) {
          c.setAutoCommit(true);
          for (String change : List.of("UPDATE audit_log SET actor = 'y'", "DELETE FROM audit_log", "TRUNCATE audit_log",
              "ALTER TABLE audit_log DISABLE TRIGGER ALL", "DROP TABLE audit_log", "DELETE FROM audit_head")) {
            assertThatThrownBy(() -> s.execute(change)).as(change).isInstanceOfSatisfying(SQLException.class,
                e -> assertThat(e.getSQLState()).as(e.getMessage()).isEqualTo("42501"));
          }
          try {
            s.execute("GRANT UPDATE ON audit_log TO " + runtime);
            SQLWarning warning = s.getWarnings();
            assertThat(warning == null ? null : warning.getMessage())
                .as("PostgreSQL grants nothing without the grant option, and says so").contains("no privileges were granted");
          } catch (SQLException refused) {
            assertThat(refused.getSQLState()).isEqualTo("42501");
          }
          assertThatThrownBy(() -> s.execute("UPDATE audit_log SET actor = 'y'")).hasMessageContaining("permission denied");
        }
      }
    } finally {
      detach(warnings);
      admin(TestDatabase.PG_ADMIN_URL, "DROP ROLE IF EXISTS " + runtime, "DROP ROLE IF EXISTS " + owner);
    }
  }

  @Test
  @DisplayName("PostgreSQL without a schema owner: the role that owns the schema and runs Muster has no UPDATE, DELETE or"
      + " TRUNCATE on the log, and Muster warns once that it could take them")
  void applicationRoleCannotChangeIt() throws SQLException {
    TestDatabase.requirePostgres();
    String role = "muster_app_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String dbName = role + "_db";
    admin(TestDatabase.PG_ADMIN_URL, "CREATE ROLE " + role + " LOGIN NOSUPERUSER", "CREATE DATABASE " + dbName
        + " OWNER " + role);
    String url = "jdbc:postgresql://127.0.0.1:5432/" + dbName;
    ListAppender<ILoggingEvent> warnings = dbWarnings();
    try {
      Db.open(url, role, "", 2).close();
      assertThat(warnings.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
          .satisfies(e -> assertThat(e.getFormattedMessage()).contains("owns the schema").contains("MUSTER_DB_OWNER_USER"));
      try (Connection c = DriverManager.getConnection(url, role, ""); Statement s = c.createStatement()) {
        s.execute("INSERT INTO audit_log (seq, logged_at, actor, origin, action, outcome, detail, prev_hash, row_hash)"
            + " VALUES (1000, now(), 'x', 'x', 'x', 'x', '', 'x', 'x')");
        for (String change : new String[] {"UPDATE audit_log SET actor = 'y'", "DELETE FROM audit_log", "TRUNCATE audit_log"}) {
          assertThatThrownBy(() -> s.execute(change)).as(change).hasMessageContaining("permission denied");
        }
        s.execute("GRANT UPDATE, DELETE ON audit_log TO " + role);
        assertThatThrownBy(() -> s.execute("UPDATE audit_log SET actor = 'y'")).hasMessageContaining("append-only");
      }
    } finally {
      detach(warnings);
      admin(TestDatabase.PG_ADMIN_URL, "DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)", "DROP ROLE IF EXISTS " + role);
    }
  }

  private static void admin(String url, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, TestDatabase.PG_USER, ""); Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  /** Collects what the store's Db logs (its warning about the runtime role). */
  private static ListAppender<ILoggingEvent> dbWarnings() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Db.class)).addAppender(appender);
    return appender;
  }

  private static void detach(ListAppender<ILoggingEvent> appender) {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Db.class)).detachAppender(appender);
  }
}
