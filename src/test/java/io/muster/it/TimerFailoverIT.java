package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonObject;
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

  private TestDatabase db;
  private TestNodes nodes;
  private ChildNode nodeA;

  @AfterEach
  void tearDown() {
    if (nodeA != null) {
      nodeA.kill();
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
    nodeA = startNodeA(cluster);
    String baseA = nodeA.base();
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
    nodeA.kill();

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

  /** Node A in a process of its own (so that it can be killed), in node B's cluster. */
  private ChildNode startNodeA(String cluster) throws Exception {
    Map<String, String> env = ChildNode.env(nodes, db);
    env.put("MUSTER_PLAYBOOKS", PLAYBOOKS);
    env.put("MUSTER_LEASE_SECONDS", "5");
    return ChildNode.start(ChildNode.clusterEnv(env, cluster, "node-a"), "failover-node-a");
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
