package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.common.ManualClock;
import io.muster.incident.domain.TriggerIncident;
import io.muster.notify.Outbox;
import io.muster.notify.domain.SendPace;
import io.muster.store.Db;
import io.muster.store.JournalEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The outbox's batches, on H2 and PostgreSQL, with the outbox driven by hand under a clock the test
 * moves: rows claimed by id (this node's committed rows) only while still due, accepted messages
 * recorded in the claim's transaction, and the send budget leased in slots that two nodes share
 * without overlap, no further ahead than its horizon.
 */
@Timeout(60)
class OutboxBatchIT {
  private static final Duration LEASE = Duration.ofSeconds(30);

  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("rows this node was told of are claimed by id while still due; rows another node claimed first are not")
  void hintedRowsAreClaimedOnlyWhileDue(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      trigger(store);
      ManualClock clock = new ManualClock(Instant.now().plusSeconds(1));
      Outbox a = new Outbox(store, clock, "node-a", LEASE, 0, null);
      Outbox b = new Outbox(store, clock, "node-b", LEASE, 0, null);
      List<String> ids = ids(store);

      List<Outbox.Claim> byB = b.claim(2);
      List<Outbox.Claim> byA = a.claimHinted(ids, List.of()).claims();

      assertThat(byA).hasSize(2).noneMatch(Outbox.Claim::uncertain);
      assertThat(byA).extracting(c -> c.notification().id())
          .doesNotContainAnyElementsOf(byB.stream().map(c -> c.notification().id()).toList())
          .isSubsetOf(ids);
      assertThat(byA).allSatisfy(c -> assertThat(c.notification().attempts()).as("the claim's token").isEqualTo(1));
      assertThat(byA).allMatch(c -> a.stillOurs(c.notification()));
      assertThat(a.claimHinted(ids, List.of()).claims()).as("nothing is claimed twice").isEmpty();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("accepted messages are recorded in the next claim's transaction; one that cannot be recorded does"
      + " not hold the others back")
  void acceptedAreRecordedWithTheNextClaim(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      trigger(store);
      ManualClock clock = new ManualClock(Instant.now().plusSeconds(1));
      Outbox outbox = new Outbox(store, clock, "node-a", LEASE, 0, null);
      List<Outbox.Claim> claims = outbox.claim(50);
      assertThat(claims).hasSize(4);

      Outbox.Batch next = outbox.claimDue(50, List.of(accepted(claims.get(0), "SMfirst"), accepted(claims.get(1), "SMsecond")));
      assertThat(next.claims()).isEmpty();
      assertThat(next.recorded()).extracting(JournalEvent::type).containsExactly("notification.sent", "notification.sent");
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'sent' AND lease_owner IS NULL"
          + " AND provider_sid IN ('SMfirst', 'SMsecond')")).isEqualTo(2);

      // The third claims a SID the first already holds (as a mistaken lookup could): it alone stays unrecorded.
      List<JournalEvent> events = outbox.sent(List.of(accepted(claims.get(2), "SMfirst"), accepted(claims.get(3), "SMfourth")));
      assertThat(events).hasSize(1);
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'sent'")).isEqualTo(3);
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE id = '" + claims.get(2).notification().id()
          + "' AND status = 'sending'")).as("still claimed: looked up, not resent, once its lease runs out").isEqualTo(1);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("two nodes lease slots of one budget, evenly spaced, none twice, no further ahead than the horizon")
  void nodesShareOneTimelineOfSlots(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      trigger(store);
      ManualClock clock = new ManualClock(Instant.now().plusSeconds(1));
      // 20 messages a second: a slot every 51.25 ms. A lease of 0.3 s: slots at most 100 ms ahead.
      Duration lease = Duration.ofMillis(300);
      SendPace pace = SendPace.of(20, lease);
      Outbox a = new Outbox(store, clock, "node-a", lease, 20, null);
      Outbox b = new Outbox(store, clock, "node-b", lease, 20, null);

      Outbox.Batch first = a.claimDue(8, List.of());
      assertThat(first.claims()).as("the slots that start within the horizon").hasSize(2);
      assertThat(first.budgetRoomIn()).as("the horizon held the rest back").isNotNull();
      Outbox.Batch held = b.claimDue(8, List.of());
      assertThat(held.claims()).as("nothing is left within the horizon for the other node").isEmpty();
      assertThat(held.budgetRoomIn()).isPositive();

      clock.advance(held.budgetRoomIn());
      Outbox.Batch second = b.claimDue(8, List.of());
      assertThat(second.claims()).isNotEmpty();
      List<Instant> slots = java.util.stream.Stream.concat(first.claims().stream(), second.claims().stream())
          .map(Outbox.Claim::sendAt).toList();
      for (int i = 1; i < slots.size(); i++) {
        assertThat(Duration.between(slots.get(i - 1), slots.get(i)).toNanos() / 1000)
            .as("slot %d after slot %d", i, i - 1).isEqualTo(pace.slotMicros());
      }
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a sender that wakes too late for its slot takes another, later one, rather than send in a burst")
  void lateSenderTakesAnotherSlot(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      trigger(store);
      ManualClock clock = new ManualClock(Instant.now().plusSeconds(1));
      Outbox outbox = new Outbox(store, clock, "node-a", LEASE, 20, null);
      Outbox.Claim claim = outbox.claimDue(1, List.of()).claims().get(0);
      long leasedTo = nextSlot();

      clock.advance(Duration.between(clock.instant(), claim.sendAt()).plusMillis(200));   // it overslept its slot
      assertThat(outbox.awaitTurn(claim)).as("still its own claim: it may send, in a new slot").isTrue();
      assertThat(nextSlot()).as("a later slot was leased for it").isGreaterThan(leasedTo);
    }
  }

  private long nextSlot() {
    return nodes.db().count("SELECT next_at FROM sms_pacer WHERE id = 1");
  }

  private static Outbox.Accepted accepted(Outbox.Claim claim, String sid) {
    return new Outbox.Accepted(claim.notification(), sid);
  }

  private static List<String> ids(Db store) {
    return store.tx(c -> {
      List<String> ids = new java.util.ArrayList<>();
      try (var ps = c.prepareStatement("SELECT id FROM notification ORDER BY id"); var rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    });
  }

  /** An incident whose four pages are queued, committed (HandoffIT's too). */
  static void trigger(Db store) {
    TestFeatures.on(store).incidents().trigger(
        new TriggerIncident("mass-casualty", "general", "Outbox batches", null, false), null, "test");
  }
}
