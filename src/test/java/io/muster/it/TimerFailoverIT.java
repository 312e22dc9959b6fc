package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two clustered nodes on PostgreSQL. Node A runs as its own process; it triggers an incident whose
 * playbook sets timers a few seconds out, takes leases on them, and is killed ({@code kill -9}).
 * Node B must fire each timer once its lease has run out: exactly once, and not before.
 */
@Timeout(180)
class TimerFailoverIT {
  private static final String PLAYBOOKS = "src/test/resources/it/playbooks-failover";
  private static final String ROSTER = "src/test/resources/it/roster.yaml";
  private static final Path LOG = Path.of("target/failover-node-a.log");
  private static final Path CONF = Path.of("target/failover-node-a.yaml");
  /** Node A's announcement once it is up, with the URL it derived from the port it was given. */
  private static final Pattern UP = Pattern.compile("Dashboard:\\s+(http://127\\.0\\.0\\.1:\\d+)/");

  private TestDatabase db;
  private TestNodes nodes;
  private Process nodeA;

  @AfterEach
  void tearDown() {
    if (nodeA != null) {
      nodeA.destroyForcibly();
    }
    if (nodes != null) {
      nodes.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  @DisplayName("the node holding the timers is killed; the other fires each of them once, after its lease")
  void survivorFiresEachTimerOnce() throws Exception {
    db = TestDatabase.postgres();
    nodes = new TestNodes(db);
    String cluster = "muster-failover-" + UUID.randomUUID();
    nodeA = startProcess(TestNodes.cluster(cluster));
    String baseA = awaitReady();
    Muster b = nodes.start(ROSTER, PLAYBOOKS, new JsonObject()
        .put("nodeId", "node-b")
        .put("cluster", TestNodes.cluster(cluster).mergeIn(TestNodes.tls("node-b"))));

    Http.Response created = Http.postJson(baseA + "/api/v1/incidents",
        "{\"type\":\"failover-drill\",\"facilityId\":\"general\",\"summary\":\"Failover test\"}");
    assertThat(created.status()).isEqualTo(201);
    String incidentId = created.json().getString("id");

    // Node A takes the leases it would take when the timers come due, and dies holding them.
    Instant leaseEnd = Instant.now().plusSeconds(8);
    assertThat(leaseAllAsNodeA(incidentId, leaseEnd)).isEqualTo(3);
    nodeA.destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    eventually(Duration.ofSeconds(40), () -> fired(incidentId).size() >= 3);
    List<Map<String, Object>> fired = fired(incidentId);
    assertThat(fired).hasSize(3).allSatisfy(t -> {
      assertThat(t.get("fired_by")).isEqualTo("node-b");
      assertThat((Instant) t.get("fired_at")).isAfterOrEqualTo(leaseEnd.minusMillis(50));
    });
    assertThat(fired).extracting(t -> t.get("kind")).containsExactlyInAnyOrder("escalate", "task-due", "widen");

    // Later timers, set by B's own firing, are B's too: the escalation's next level, once. It comes
    // 4 s after the repeat, so B's timer polls have run well past the first three: a second firing of
    // any of them would have been journaled by then.
    eventually(Duration.ofSeconds(20), () -> count("page.escalated", incidentId) == 1);
    // The escalation is committed before its page is sent: wait for the SMS, then for nothing to be
    // queued or being sent, and check each came once.
    eventually(Duration.ofSeconds(10), () -> !nodes.simulator.messagesTo("+16175550102").isEmpty());
    nodes.awaitOutboxDrained();
    assertThat(count("page.repeated", incidentId)).isEqualTo(1);
    assertThat(count("task.overdue", incidentId)).isEqualTo(1);
    assertThat(count("rollcall.widened", incidentId)).isEqualTo(1);
    // The IC got the first page and exactly one repeat; the widened rollcall asked the charge nurse once.
    assertThat(nodes.simulator.messagesTo("+16175550101").stream().filter(m -> m.body().contains("Failover drill"))
        .count()).isEqualTo(2);
    assertThat(nodes.simulator.messagesTo("+16175550103")).hasSize(1);
    assertThat(nodes.simulator.messagesTo("+16175550102")).hasSize(1);
    assertThat(count("page.escalated", incidentId)).isEqualTo(1);
    assertThat(b.httpPort()).isPositive();
  }

  /** Node A in a process of its own: HTTP on a port the system chooses, Hazelcast in the test nodes' port range. */
  private Process startProcess(JsonObject cluster) throws Exception {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Dhazelcast.logging.type=slf4j", "-cp", classpath, "io.muster.app.Main", "-conf", CONF.toString());
    // Not config/muster.yaml, whose public base URL is port 8080's: node A derives its own from its port.
    Files.writeString(CONF, "# TimerFailoverIT: node A is configured by its environment\nhttp:\n  host: 127.0.0.1\n");
    Map<String, String> env = pb.environment();
    env.put("MUSTER_NODE_ID", "node-a");
    env.put("MUSTER_HTTP_HOST", "127.0.0.1");
    env.put("MUSTER_HTTP_PORT", "0");
    env.put("MUSTER_DB_URL", db.url);
    env.put("MUSTER_DB_USER", db.user);
    env.put("MUSTER_CLUSTER", "true");
    env.put("MUSTER_CLUSTER_NAME", cluster.getString("name"));
    env.put("MUSTER_CLUSTER_HOST", cluster.getString("host"));
    env.put("MUSTER_CLUSTER_PORT", String.valueOf(cluster.getInteger("port")));
    env.put("MUSTER_CLUSTER_PORT_COUNT", String.valueOf(cluster.getInteger("portCount")));
    env.put("MUSTER_CLUSTER_MEMBERS", String.join(",", cluster.getJsonArray("members").stream().map(String::valueOf).toList()));
    JsonObject tls = TestNodes.tls("node-a");
    env.put("MUSTER_EVENTBUS_PORT", "0");
    env.put("MUSTER_CLUSTER_TLS_CERT", tls.getString("tlsCert"));
    env.put("MUSTER_CLUSTER_TLS_KEY", tls.getString("tlsKey"));
    env.put("MUSTER_CLUSTER_TLS_CA", tls.getString("tlsCa"));
    env.put("MUSTER_ROSTER", ROSTER);
    env.put("MUSTER_PLAYBOOKS", PLAYBOOKS);
    env.put("MUSTER_READINESS", "src/test/resources/it/readiness.yaml");
    env.put("MUSTER_POLL_MS", "250");
    env.put("MUSTER_LEASE_SECONDS", "5");
    env.put("MUSTER_JWT_SECRET", nodes.jwtSecret());
    env.put("MUSTER_AUDIT_KEY", nodes.auditKey());
    env.put("MUSTER_AUDIT_CHECKPOINTS", nodes.checkpointFile().toString());
    env.put("MUSTER_ADMIN_PASSWORD", TestNodes.ADMIN_PASSWORD);
    env.put("TWILIO_ACCOUNT_SID", TestNodes.ACCOUNT_SID);
    env.put("TWILIO_AUTH_TOKEN", TestNodes.AUTH_TOKEN);
    env.put("TWILIO_FROM", "+15005550006");
    env.put("TWILIO_API_BASE_URL", nodes.simulator.baseUrl());
    java.io.File log = LOG.toFile();
    pb.redirectErrorStream(true).redirectOutput(log);
    return pb.start();
  }

  /** Waits until node A says it is up (its announcement names the URL, with the port it was given); returns that URL. */
  private String awaitReady() {
    String[] base = new String[1];
    eventually(Duration.ofSeconds(60), () -> {
      if (!nodeA.isAlive()) {
        throw new AssertionError("node A exited; see " + LOG);
      }
      Matcher up = UP.matcher(readLog());
      if (up.find()) {
        base[0] = up.group(1);
      }
      return base[0] != null;
    });
    assertThat(Http.get(base[0] + "/health/ready").status()).isEqualTo(200);
    Http.authorize(base[0].substring("http://".length()),
        TestNodes.login(base[0], TestNodes.ADMIN_USER, TestNodes.ADMIN_PASSWORD));
    return base[0];
  }

  private static String readLog() {
    try {
      return Files.readString(LOG);
    } catch (IOException e) {
      return "";
    }
  }

  private int leaseAllAsNodeA(String incidentId, Instant until) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.url, db.user, "");
         PreparedStatement ps = c.prepareStatement("UPDATE playbook_timer SET lease_owner = 'node-a', lease_until = ?"
             + " WHERE incident_id = ? AND status = 'pending'")) {
      ps.setTimestamp(1, Timestamp.from(until));
      ps.setString(2, incidentId);
      return ps.executeUpdate();
    }
  }

  private List<Map<String, Object>> fired(String incidentId) {
    List<Map<String, Object>> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(db.url, db.user, "");
         PreparedStatement ps = c.prepareStatement("SELECT kind, fired_by, fired_at FROM playbook_timer"
             + " WHERE incident_id = ? AND status = 'fired' AND esc_level = 0 ORDER BY fired_at")) {
      ps.setString(1, incidentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Map.of("kind", rs.getString(1), "fired_by", rs.getString(2),
              "fired_at", rs.getTimestamp(3).toInstant()));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private long count(String type, String incidentId) {
    return db.count("SELECT COUNT(*) FROM journal WHERE event_type = '" + type + "' AND incident_id = '" + incidentId + "'");
  }
}
