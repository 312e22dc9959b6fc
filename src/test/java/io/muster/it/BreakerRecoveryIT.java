package io.muster.it;

import static io.muster.it.SmsRulesIT.TEAM;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.notify.Outbox;
import io.muster.sim.SimMessage;
import io.muster.store.Db;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A provider outage longer than a few probe intervals, during a callout: the breaker probes once per
 * interval however many sends failed while it was open, and pages flow again within about one
 * interval once the provider is back, not after a wait that grew during the outage.
 */
@Timeout(90)
class BreakerRecoveryIT {
  private static final int PROBE_SECONDS = 2;
  private static final long OUTAGE_MS = 13_000;

  private TestNodes nodes;
  private LiveClient live;

  @AfterEach
  void tearDown() {
    if (live != null) {
      live.close();
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  @DisplayName("a 13 s outage during a callout: one probe per 2 s interval, pages flow within about one interval after it")
  void pagesFlowWithinAboutOneIntervalOfRecovery() {
    nodes = TestNodes.on("h2");
    Muster node = nodes.start(SmsRulesIT.ROSTER, SmsRulesIT.PLAYBOOKS, new JsonObject()
        .put("sms", new JsonObject().put("breakerOpenSeconds", PROBE_SECONDS))
        .put("dispatch", new JsonObject().put("pollMs", 250)));
    live = LiveClient.connect(node.httpPort(), null);
    nodes.simulator.faults().outage(503);
    long t0 = System.nanoTime();
    String ref = TestNodes.trigger(TestNodes.baseUrl(node), "sms-team", "general", "Outage drill").getString("ref");

    live.first(null, "sms.degraded", e -> true, SmsRulesIT.WAIT);
    // The outage lasts 13 s: a fault's duration, not a wait for something to happen.
    PipelineIT.holdFor(Math.max(0, OUTAGE_MS - (System.nanoTime() - t0) / 1_000_000));
    int attemptsDuringOutage = nodes.simulator.createAttempts();
    nodes.simulator.faults().endOutage();
    long back = System.nanoTime();
    assertThat(nodes.simulator.allMessages()).as("nothing accepted during the outage").isEmpty();
    assertThat(attemptsDuringOutage).as("the first tries, then one probe per interval")
        .isLessThanOrEqualTo(TEAM.size() + (int) (OUTAGE_MS / 1000 / PROBE_SECONDS) + 2);

    PipelineIT.eventually(Duration.ofSeconds(PROBE_SECONDS + 4), () -> !nodes.simulator.allMessages().isEmpty());
    long firstMs = (nodes.simulator.allMessages().get(0).receivedNanos() - back) / 1_000_000;
    PipelineIT.eventually(Duration.ofSeconds(PROBE_SECONDS + 6), () -> TEAM.stream().allMatch(p -> pagesTo(p, ref) == 1));
    long allMs = (System.nanoTime() - back) / 1_000_000;
    assertThat(firstMs).as("the first page after the outage, within about one probe interval")
        .isLessThanOrEqualTo(PROBE_SECONDS * 1000L + 3_000);
    assertThat(allMs).as("every page").isLessThanOrEqualTo(PROBE_SECONDS * 1000L + 6_000);
    live.first(null, "sms.recovered", e -> true, SmsRulesIT.WAIT);
    assertThat(live.events().stream().filter(e -> "sms.degraded".equals(e.getString("type")))).hasSize(1);
  }

  @Test
  @DisplayName("a node whose breaker is open and which has nothing left to send closes it when another node's page"
      + " is accepted: coordinators do not see \"SMS degraded\" for ever")
  void idleBreakerClosesOnAnotherNodesAcceptedPage() {
    nodes = TestNodes.on("postgres");
    Muster node = nodes.start(SmsRulesIT.ROSTER, SmsRulesIT.PLAYBOOKS, new JsonObject()
        .put("sms", new JsonObject().put("breakerOpenSeconds", 1))
        .put("dispatch", new JsonObject().put("pollMs", 250)));
    live = LiveClient.connect(node.httpPort(), null);
    nodes.simulator.faults().outage(503);
    TestNodes.trigger(TestNodes.baseUrl(node), "sms-team", "general", "Idle breaker");
    live.first(null, "sms.degraded", e -> true, SmsRulesIT.WAIT);

    // Another node takes every page over and the provider accepts them there: this node's breaker,
    // still open (its own provider calls fail), has nothing left to probe with.
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 2)) {
      Outbox other = new Outbox(store, Clock.systemUTC(), "node-b", Duration.ofMinutes(5), 0, null);
      PipelineIT.eventually(SmsRulesIT.WAIT, () -> {
        other.claim(50).forEach(c -> other.sent(c.notification(), "SM" + c.notification().id().replace("-", "")));
        return nodes.db().count("SELECT COUNT(*) FROM notification WHERE status <> 'sent'") == 0;
      });
    }
    live.first(null, "sms.recovered", e -> true, SmsRulesIT.WAIT);
    assertThat(nodes.simulator.allMessages()).as("this node sent nothing: the provider still refuses it").isEmpty();
    try (LiveClient fresh = LiveClient.connect(node.httpPort(), null)) {
      assertThat(fresh.snapshot.getJsonObject("sms").getBoolean("degraded")).as("the board's SMS state").isFalse();
    }
  }

  private long pagesTo(String phone, String ref) {
    List<SimMessage> sms = nodes.simulator.messagesTo(phone);
    return sms.stream().filter(m -> m.body().contains("[" + ref + "]")).count();
  }
}
