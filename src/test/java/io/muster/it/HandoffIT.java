package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static io.muster.it.OutboxBatchIT.trigger;

import io.muster.common.ManualClock;
import io.muster.notify.Handoff;
import io.muster.notify.HandoffProbe;
import io.muster.notify.Outbox;
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
 * The hand-off of a transaction's pages to this node's dispatcher, on H2 and PostgreSQL: the rows a
 * transaction queues are claimed in it, as far as the dispatcher has room, and reach the dispatcher
 * only once it committed; the others reach it as hints; paced rows are never claimed there.
 */
@Timeout(60)
class HandoffIT {
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
  @DisplayName("the pages a trigger queues are claimed in its transaction as far as there is room; the rest are hints")
  void claimedInTheTransactionAsFarAsThereIsRoom(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      Outbox outbox = new Outbox(store, new ManualClock(Instant.now().plusSeconds(1)), "node-a", LEASE, 0, null);
      HandoffProbe dispatcher = HandoffProbe.attached(new Handoff(outbox), 3);
      store.onCommit(dispatcher.handoff());

      trigger(store);   // four pages

      assertThat(dispatcher.claims()).hasSize(3).allSatisfy(c -> {
        assertThat(c.uncertain()).isFalse();
        assertThat(c.notification().attempts()).as("the claim's token").isEqualTo(1);
        assertThat(outbox.stillOurs(c.notification())).as("the claim holds after the commit").isTrue();
      });
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'sending' AND lease_owner = 'node-a'"))
          .isEqualTo(3);
      List<String> hinted = dispatcher.events().stream().filter(e -> e.type().equals("notification.queued"))
          .map(e -> (String) e.payload().get("notificationId")).toList();
      assertThat(hinted).as("the row there was no room for, as a hint").hasSize(1)
          .doesNotContainAnyElementsOf(dispatcher.claims().stream().map(c -> c.notification().id()).toList());
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'queued' AND id = '"
          + hinted.get(0) + "'")).isEqualTo(1);
      assertThat(dispatcher.events()).extracting(JournalEvent::type).contains("incident.triggered");
      assertThat(dispatcher.room()).isZero();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("with no room (the breaker open), with pacing, or with no dispatcher, every row stays queued")
  void nothingClaimedWithoutRoomOrWhenPaced(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      ManualClock clock = new ManualClock(Instant.now().plusSeconds(1));
      HandoffProbe full = HandoffProbe.attached(new Handoff(new Outbox(store, clock, "node-a", LEASE, 0, null)), 0);
      store.onCommit(full.handoff());
      trigger(store);
      assertThat(full.claims()).isEmpty();
      assertThat(full.events()).filteredOn(e -> e.type().equals("notification.queued")).hasSize(4);

      HandoffProbe paced = HandoffProbe.attached(new Handoff(new Outbox(store, clock, "node-a", LEASE, 50, null)), 100);
      store.onCommit(paced.handoff());
      trigger(store);
      assertThat(paced.claims()).isEmpty();
      assertThat(paced.room()).as("no room taken").isEqualTo(100);

      store.onCommit(new Handoff(new Outbox(store, clock, "node-a", LEASE, 0, null)));   // no dispatcher attached
      trigger(store);

      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification WHERE status = 'queued'")).isEqualTo(12);
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a transaction that does not commit hands nothing over: its claims are undone and the room given back")
  void failedTransactionHandsNothingOver(String kind) {
    nodes = TestNodes.on(kind);
    try (Db store = Db.open(nodes.db().url, nodes.db().user, "", 4)) {
      Outbox outbox = new Outbox(store, new ManualClock(Instant.now().plusSeconds(1)), "node-a", LEASE, 0, null);
      HandoffProbe dispatcher = HandoffProbe.attached(new Handoff(outbox), 10);
      // The hand-off's claims are made, then something after them in the commit fails.
      store.onCommit((c, appended) -> {
        Db.Outcome outcome = dispatcher.handoff().committing(c, appended);
        assertThat(dispatcher.room()).as("room taken for the claims").isEqualTo(6);
        outcome.failed();
        throw new IllegalStateException("the commit failed");
      });

      assertThatThrownBy(() -> trigger(store)).hasMessageContaining("the commit failed");

      assertThat(dispatcher.claims()).isEmpty();
      assertThat(dispatcher.events()).isEmpty();
      assertThat(dispatcher.room()).isEqualTo(10);
      assertThat(nodes.db().count("SELECT COUNT(*) FROM notification")).isZero();
      assertThat(nodes.db().count("SELECT COUNT(*) FROM incident")).isZero();
    }
  }
}
