package io.muster.it;

import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.incident.Incidents;
import io.muster.incident.domain.TriggerIncident;
import io.muster.notify.OutboundSms;
import io.muster.notify.Outbox;
import io.muster.notify.SentMessage;
import io.muster.notify.domain.Notification;
import io.muster.sim.SimMessage;
import io.muster.notify.twilio.TwilioSettings;
import io.muster.notify.twilio.TwilioSmsGateway;
import io.muster.store.Db;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "A node that dies mid-send does not cause a second SMS." Node A (the {@link Outbox} and the
 * Twilio gateway driven by hand) claims an incident's pages, gets one of them accepted by the
 * provider and dies before recording it. A real node then takes the rows over once A's lease has
 * run out: it looks the accepted one up instead of sending it again, and sends the others once.
 */
@Timeout(120)
class LeaseTakeoverIT {
  private static final Duration LEASE_A = Duration.ofSeconds(3);
  private static final String DIES_AFTER_SENDING_TO = "+16175550103";

  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("after node A dies between the provider's accept and its own record, every recipient gets exactly one SMS")
  void takeoverSendsNobodyTwice(String kind) {
    nodes = TestNodes.on(kind);
    // Node A's message names node B's status callback URL before node B starts: the one port here
    // that must be known in advance.
    int port = TestNodes.freePort();
    String publicBase = "http://127.0.0.1:" + port;

    Incidents.Triggered triggered;
    String acceptedSid;
    Instant leaseEnds;
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4);
         TwilioSmsGateway gateway = new TwilioSmsGateway(new TwilioSettings(TestNodes.ACCOUNT_SID, TestNodes.AUTH_TOKEN,
             "+15005550006", nodes.simulator.baseUrl()))) {
      triggered = trigger(store);
      List<Outbox.Claim> claims = new Outbox(store, Clock.systemUTC(), "node-a", LEASE_A, 0, null).claim(50);
      leaseEnds = Instant.now().plus(LEASE_A);
      assertThat(claims).hasSize(4).noneMatch(Outbox.Claim::uncertain);
      Notification victim = claims.stream().map(Outbox.Claim::notification)
          .filter(n -> DIES_AFTER_SENDING_TO.equals(n.phone())).findFirst().orElseThrow();
      SentMessage accepted = gateway.send(new OutboundSms(victim.phone(), victim.body(),
          publicBase + "/webhooks/twilio/status?n=" + victim.id()));
      acceptedSid = accepted.sid();
      // Node A dies here: the provider has the message, the outbox row still says "sending".
    }
    assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'sending' AND lease_owner = 'node-a'"))
        .isEqualTo(4);

    Muster b = nodes.start(new JsonObject()
        .put("http", new JsonObject().put("port", port).put("publicBaseUrl", publicBase))
        .put("dispatch", new JsonObject().put("leaseSeconds", 1).put("pollMs", 100)));
    String incidentId = triggered.incident().id();
    String ref = "[" + triggered.incident().ref() + "]";
    // For as long as node A's lease holds (the fault's duration), node B sends nothing.
    Duration leaseLeft = Duration.between(Instant.now(), leaseEnds.minusMillis(300));
    if (!leaseLeft.isNegative()) {
      Awaitility.await("messages sent while node A's lease holds").during(leaseLeft).atMost(leaseLeft.plusSeconds(5))
          .pollInterval(Duration.ofMillis(50)).until(() -> nodes.simulator.createCount() == 1);
    }

    eventually(() -> MCI_PHONES.stream().allMatch(p -> nodes.simulator.messagesTo(p).size() >= 1)
        && nodes.db().count("SELECT COUNT(*) FROM notification WHERE status IN ('sent', 'delivered')") == 4);
    // Node B's dispatcher demonstrably ran after the takeover: a later incident's pages arrive, and
    // then nothing is queued or being sent. A page of the first incident sent again would have gone.
    nodes.awaitMarker(TestNodes.baseUrl(b), new JsonObject(PipelineIT.MCI), MCI_PHONES);
    Map<String, Long> perPhone = nodes.simulator.allMessages().stream().filter(SimMessage::outbound)
        .filter(m -> m.body().contains(ref))
        .collect(Collectors.groupingBy(SimMessage::to, Collectors.counting()));
    assertThat(perPhone).as("SMS per phone").containsOnlyKeys(MCI_PHONES)
        .allSatisfy((phone, count) -> assertThat(count).as(phone).isEqualTo(1));
    assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE provider_sid = '" + acceptedSid + "'"))
        .as("the message node A got accepted is recorded under its SID").isEqualTo(1);
    assertThat(nodes.db().count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.sent'"
        + " AND incident_id = '" + incidentId + "'")).isEqualTo(4);

    JsonObject detail = Http.get(TestNodes.baseUrl(b) + "/api/v1/incidents/" + incidentId).json();
    JsonArray notifications = detail.getJsonArray("notifications");
    assertThat(notifications).hasSize(4);
    for (int i = 0; i < notifications.size(); i++) {
      assertThat(notifications.getJsonObject(i).getString("status")).isIn("sent", "delivered");
    }
  }

  /** What a node does when an incident is triggered: the incident and its queued pages, committed. */
  private static Incidents.Triggered trigger(Db store) {
    return TestFeatures.on(store).incidents().trigger(
        new TriggerIncident("mass-casualty", "general", "Bus crash on the interstate", null, false), null, "test");
  }
}
