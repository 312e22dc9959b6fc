package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.notify.sim.SimCall;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** An unanswered page is read out by a Twilio voice call; pressing 1 acknowledges it. */
@Timeout(90)
class VoiceFallbackIT {
  private static final String DANA = "+16175550101";

  private TestDatabase db;
  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("nobody answers the page: the incident commander is called, presses 1, and the escalation stops")
  void callAndPressOne(String kind) {
    db = TestDatabase.create(kind);
    nodes = new TestNodes(db);
    Muster node = nodes.start(new JsonObject().put("files", new JsonObject()
        .put("roster", "src/test/resources/it/roster.yaml").put("playbooks", "src/test/resources/it/playbooks-voice")));
    String base = TestNodes.baseUrl(node);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = Http.postJson(base + "/api/v1/incidents",
          "{\"type\":\"voice-drill\",\"facilityId\":\"general\",\"summary\":\"Voice test\",\"drill\":true}").json();
      live.awaitType("page.called", Duration.ofSeconds(15));
      eventually(Duration.ofSeconds(15), () -> nodes.simulator.callsTo(DANA).size() == 1);
      SimCall call = nodes.simulator.callsTo(DANA).get(0);
      assertThat(call.twiml()).contains("This is a drill. Muster alert. Voice drill at Muster General Hospital.")
          .contains("Press 1 to acknowledge").contains("<Gather");

      eventually(Duration.ofSeconds(15), () -> {
        Http.Response press = Http.postJson(nodes.simulator.baseUrl() + "/sim/api/calls/" + call.sid() + "/press",
            "{\"digits\":\"1\"}");
        return press.status() == 200 && press.json().getInteger("webhookStatus") == 200;
      });
      JsonObject ack = live.awaitType("notification.acknowledged", Duration.ofSeconds(10));
      assertThat(ack.getJsonObject("payload").getString("staffId")).isEqualTo("dana-whitfield");
      assertThat(live.awaitType("escalation.stopped", Duration.ofSeconds(10)).getString("incidentId"))
          .isEqualTo(incident.getString("id"));
      JsonObject detail = Http.get(base + "/api/v1/incidents/" + incident.getString("id")).json();
      assertThat(detail.getJsonArray("acks")).hasSize(1);
      assertThat(detail.getJsonObject("run").getJsonArray("pendingTimers")).isEmpty();
      assertThat(nodes.simulator.callsTo(DANA)).as("called once").hasSize(1);
    }
  }
}
