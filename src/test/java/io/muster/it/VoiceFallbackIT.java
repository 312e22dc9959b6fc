package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.sim.SimCall;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An unanswered page is read out by a Twilio voice call; pressing 1 acknowledges it. A call whose
 * create answer was lost is looked up at Twilio before it is placed again: the person is called once.
 */
@Timeout(90)
class VoiceFallbackIT {
  private static final String DANA = "+16175550101";
  private static final String ROSTER = "src/test/resources/it/roster.yaml";
  private static final String PLAYBOOKS = "src/test/resources/it/playbooks-voice";
  private static final JsonObject DRILL = new JsonObject().put("type", "voice-drill").put("facilityId", "general")
      .put("summary", "Voice test").put("drill", true);

  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("nobody answers the page: the incident commander is called, presses 1, and the escalation stops")
  void callAndPressOne(String kind) {
    nodes = TestNodes.on(kind);
    Muster node = nodes.start(ROSTER, PLAYBOOKS, new JsonObject());
    String base = TestNodes.baseUrl(node);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      JsonObject incident = TestNodes.trigger(base, DRILL);
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

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("the answer to the call's create is lost: the dispatcher looks the call up before retrying, records its SID, and the person is called once")
  void lostCallAnswerIsLookedUp(String kind) {
    nodes = TestNodes.on(kind);
    // The lease outlives the SDK's 10 s response timeout: the retry below is the dispatcher's own, after the timeout.
    Muster node = nodes.start(ROSTER, PLAYBOOKS, new JsonObject().put("dispatch", new JsonObject().put("leaseSeconds", 30)));
    String base = TestNodes.baseUrl(node);
    nodes.simulator.faults().hangCalls(true);
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      TestNodes.trigger(base, DRILL);
      live.awaitType("page.called", Duration.ofSeconds(15));
      eventually(Duration.ofSeconds(15), () -> nodes.simulator.callsTo(DANA).size() == 1);
      // Twilio created the call and Dana's phone rings, but Muster never hears of it; a new create would be answered.
      nodes.simulator.faults().hangCalls(false);
      SimCall call = nodes.simulator.callsTo(DANA).get(0);
      assertThat(voiceRows(null)).as("no SID known while the answer is outstanding").isZero();

      eventually(Duration.ofSeconds(40), () -> voiceRows(null) == 1);
      // A second call, if one were placed, would be created by the time the held create has been
      // given up and nothing is queued or being sent.
      eventually(Duration.ofSeconds(15), () -> nodes.simulator.heldAnswers() == 0);
      nodes.awaitOutboxDrained();
      assertThat(nodes.simulator.callsTo(DANA)).as("called once").extracting(SimCall::sid).containsExactly(call.sid());
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE kind = 'voice' AND provider_sid = '" + call.sid()
          + "' AND status = 'sent' AND attempts >= 2")).as("the call's SID, recorded as sent by the retry").isEqualTo(1);

      eventually(Duration.ofSeconds(15), () -> Http.postJson(nodes.simulator.baseUrl() + "/sim/api/calls/" + call.sid()
          + "/press", "{\"digits\":\"1\"}").status() == 200);
      JsonObject ack = live.awaitType("notification.acknowledged", Duration.ofSeconds(10));
      assertThat(ack.getJsonObject("payload").getString("staffId")).isEqualTo("dana-whitfield");
      assertThat(nodes.simulator.callsTo(DANA)).as("still called once").hasSize(1);
    }
  }

  /** Dana's voice notifications with this provider SID (null: with one at all). */
  private long voiceRows(String sid) {
    return nodes.db().count("SELECT COUNT(*) FROM notification WHERE kind = 'voice' AND phone = '" + DANA + "' AND "
        + (sid == null ? "provider_sid IS NOT NULL" : "provider_sid = '" + sid + "'"));
  }
}
