package io.muster.it;

import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.incident.domain.TriggerIncident;
import io.muster.notify.OutboundSms;
import io.muster.notify.Outbox;
import io.muster.notify.SentMessage;
import io.muster.notify.domain.Notification;
import io.muster.sim.SimMessage;
import io.muster.notify.twilio.TwilioSettings;
import io.muster.notify.twilio.TwilioSmsGateway;
import io.muster.store.Db;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Any notification that may have reached the provider is looked up before it is sent again,
 * whatever state it is found in." The state here is one a crash can leave: a row back at
 * {@code queued}, claimed before, without a provider SID and without a recorded refusal, while the
 * provider already has its message. The node must look it up and record it, not send it again.
 */
class ClaimedRowLookupIT {
  private static final String VICTIM = "+16175550103";

  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a queued row claimed before, with no SID and no recorded refusal, is looked up, not sent twice")
  void claimedQueuedRowIsLookedUp(String kind) {
    nodes = TestNodes.on(kind);
    String acceptedSid;
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 2);
         TwilioSmsGateway gateway = new TwilioSmsGateway(new TwilioSettings(TestNodes.ACCOUNT_SID, TestNodes.AUTH_TOKEN,
             "+15005550006", nodes.simulator.baseUrl()))) {
      trigger(store);
      List<Outbox.Claim> claims = new Outbox(store, Clock.systemUTC(), "node-a", Duration.ofMinutes(5), 0, null).claim(50);
      assertThat(claims).hasSize(4).noneMatch(Outbox.Claim::uncertain);
      Notification victim = claims.stream().map(Outbox.Claim::notification)
          .filter(n -> VICTIM.equals(n.phone())).findFirst().orElseThrow();
      SentMessage accepted = gateway.send(new OutboundSms(victim.phone(), victim.body(), null));
      acceptedSid = accepted.sid();
      // What is left after the crash: the victim queued again with its claim's traces, the others never claimed.
      store.tx(c -> Db.update(c, "UPDATE notification SET status = 'queued', lease_owner = NULL, lease_until = NULL,"
          + " next_attempt_at = CURRENT_TIMESTAMP WHERE id = ?", victim.id()));
      store.tx(c -> Db.update(c, "UPDATE notification SET status = 'queued', lease_owner = NULL, lease_until = NULL,"
          + " attempts = 0, first_claimed_at = NULL WHERE id <> ?", victim.id()));
    }
    assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'queued' AND provider_sid IS NULL"
        + " AND attempts = 1 AND first_claimed_at IS NOT NULL")).isEqualTo(1);

    nodes.start(new JsonObject().put("dispatch", new JsonObject().put("pollMs", 100)));
    eventually(() -> nodes.db().count("SELECT COUNT(*) FROM notification WHERE status IN ('sent', 'delivered')") == 4);
    eventually(() -> nodes.db().count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.sent'") == 4);
    Map<String, Long> perPhone = nodes.simulator.allMessages().stream()
        .collect(Collectors.groupingBy(SimMessage::to, Collectors.counting()));
    assertThat(perPhone).as("SMS per phone").containsOnlyKeys(MCI_PHONES)
        .allSatisfy((phone, count) -> assertThat(count).as(phone).isEqualTo(1));
    assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE provider_sid = '" + acceptedSid + "'"))
        .as("the message the provider already had is recorded under its SID").isEqualTo(1);
    assertThat(nodes.simulator.createAttempts()).as("the victim's message and the three others, created once each")
        .isEqualTo(4);
  }

  private static void trigger(Db store) {
    TestFeatures.on(store).incidents().trigger(
        new TriggerIncident("mass-casualty", "general", "Crash leftovers", null, false), null, "test");
  }
}
