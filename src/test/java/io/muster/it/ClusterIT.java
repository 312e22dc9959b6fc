package io.muster.it;

import static io.muster.it.PipelineIT.MCI;
import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.WAIT;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.app.MusterConfig;
import io.muster.sim.SimMessage;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two clustered nodes on loopback sharing one PostgreSQL database. */
@Timeout(180)
class ClusterIT {
  private TestDatabase db;
  private TestNodes nodes;

  @BeforeEach
  void setUp() {
    db = TestDatabase.postgres();
    nodes = new TestNodes(db);
  }

  @AfterEach
  void tearDown() {
    nodes.close();
    db.close();
  }

  @Test
  @DisplayName("an incident triggered on node A is paged once per person, and an ack at node B reaches a client on A")
  void pagedOnceAndAckCrossesNodes() {
    List<Muster> cluster = nodes.startCluster(2);
    Muster a = cluster.get(0);
    Muster b = cluster.get(1);
    try (LiveClient onA = LiveClient.connect(a.httpPort(), null)) {
      JsonObject incident = Http.postJson(TestNodes.baseUrl(a) + "/api/v1/incidents", MCI).json();
      String ref = incident.getString("ref");
      eventually(() -> MCI_PHONES.stream().allMatch(p -> nodes.simulator.messagesTo(p).size() == 1));
      // Nothing more may be sent: a later incident's pages, triggered on the other node, arrive and
      // then nothing is queued or being sent on either.
      JsonObject marker = nodes.awaitMarker(TestNodes.baseUrl(b), new JsonObject(MCI), MCI_PHONES);
      Map<String, Long> perPhone = nodes.simulator.allMessages().stream().filter(SimMessage::outbound)
          .filter(m -> m.body().contains("[" + ref + "]"))
          .collect(Collectors.groupingBy(SimMessage::to, Collectors.counting()));
      assertThat(perPhone).hasSize(4).allSatisfy((phone, count) -> assertThat(count).isEqualTo(1));
      assertThat(nodes.simulator.messagesTo("+16175550102").get(0).body()).contains("[" + ref + "]");

      // The marker ends, so that a plain "1" answers the first incident's page, the newest still active.
      assertThat(Http.post(TestNodes.baseUrl(b) + "/api/v1/incidents/" + marker.getString("id") + "/resolve", null, "")
          .status()).isEqualTo(200);
      JsonObject reply = PipelineIT.reply(TestNodes.baseUrl(b), nodes.simulator, "+16175550102", "1");
      assertThat(reply.getInteger("webhookStatus")).isEqualTo(200);
      JsonObject ack = onA.awaitType("notification.acknowledged", WAIT);
      assertThat(ack.getString("incidentId")).isEqualTo(incident.getString("id"));
      assertThat(ack.getJsonObject("payload").getString("staffId")).isEqualTo("marcus-ng");
      assertThat(Http.get(TestNodes.baseUrl(a) + "/api/v1/incidents/" + incident.getString("id")).json()
          .getJsonArray("acks")).hasSize(1);
    }
  }

  @Test
  @DisplayName("cluster mode refuses an embedded H2 database with a message that says why")
  void clusterRefusesH2() {
    JsonObject config = nodes.config(0)
        .put("db", new JsonObject().put("url", "jdbc:h2:mem:x").put("user", "sa").put("password", "").put("poolSize", 2))
        .put("cluster", new JsonObject().put("enabled", true));
    Throwable failure = Muster.start(MusterConfig.of(config)).cause();
    assertThat(failure).isNotNull();
    assertThat(failure.getMessage()).contains("cluster mode needs PostgreSQL").contains("H2");
  }
}
