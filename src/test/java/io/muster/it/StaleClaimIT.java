package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.common.ManualClock;
import io.muster.incident.domain.TriggerIncident;
import io.muster.notify.Outbox;
import io.muster.notify.domain.Notification;
import io.muster.store.Db;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Part of the fault suite, the outbox's side of a node that stood still (SIGSTOP, a long stall)
 * with rows claimed: by the time its sender runs again its lease has run out and the row has been
 * claimed anew, possibly by the same node, which may already have sent it. The stale claim must
 * find the row no longer its own (no second SMS), and must not requeue the new claim's row.
 * {@link FaultClusterIT} shows the same with real processes; here the clock is the test's, so the
 * lease runs out without waiting.
 */
@Timeout(60)
class StaleClaimIT {
  private static final Duration LEASE = Duration.ofSeconds(2);

  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a claim that outlived its lease is not ours any more, even when our own node claimed the row again")
  void staleClaimOfTheSameNodeIsNotOurs(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      TestFeatures.on(store).incidents().trigger(
          new TriggerIncident("mass-casualty", "general", "Stale claim", null, false), null, "test");
      ManualClock clock = new ManualClock(Instant.now().plusSeconds(1));   // the pages are due
      Outbox outbox = new Outbox(store, clock, "node-a", LEASE, 0, null);
      List<Outbox.Claim> first = outbox.claim(50);
      assertThat(first).hasSize(4);
      Notification stale = first.get(0).notification();

      clock.advance(LEASE.multipliedBy(3));   // the sender stood still; its leases ran out
      List<Outbox.Claim> again = outbox.claim(50);
      assertThat(again).as("the same node claims the expired rows again").hasSize(4).allMatch(Outbox.Claim::uncertain);
      Notification fresh = again.stream().map(Outbox.Claim::notification).filter(n -> n.id().equals(stale.id()))
          .findFirst().orElseThrow();

      assertThat(outbox.stillOurs(stale)).as("the stale claim, when its sender wakes up").isFalse();
      outbox.retryLater(stale, Duration.ZERO, false, 20503);
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE id = '" + stale.id()
          + "' AND status = 'sending' AND NOT attempt_refused"))
          .as("the stale claim's failure leaves the new claim's row alone").isEqualTo(1);
      assertThat(outbox.stillOurs(fresh)).as("the new claim").isTrue();
    }
  }

}
