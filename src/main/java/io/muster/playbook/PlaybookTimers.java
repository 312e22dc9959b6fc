package io.muster.playbook;

import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Durable timers across the cluster. A node leases due timers (one short transaction), then fires
 * each in a transaction of its own that marks it fired only if it is still pending and still this
 * node's, together with its effects. A node that dies holding leases loses them when they expire,
 * and another node fires those timers: once, never twice. Blocking.
 */
public final class PlaybookTimers {
  private static final int BATCH = 50;

  private final Db db;
  private final Clock clock;
  private final String node;
  private final Duration lease;
  private final PlaybookRuns runs;

  public PlaybookTimers(Db db, Clock clock, String node, Duration lease, PlaybookRuns runs) {
    this.db = db;
    this.clock = clock;
    this.node = node;
    this.lease = lease;
    this.runs = runs;
  }

  /** Leases the due timers this node may fire; returns their ids. */
  public List<String> lease() {
    return db.tx(c -> {
      Instant now = clock.instant();
      List<String> leased = new ArrayList<>();
      for (String id : RunSql.due(c, now, BATCH, db.postgres())) {
        if (RunSql.lease(c, id, node, now, now.plus(lease))) {
          leased.add(id);
        }
      }
      return leased;
    });
  }

  /** Fires one leased timer; no events if it was cancelled or taken over meanwhile. */
  public List<JournalEvent> fire(String timerId) {
    return db.tx(c -> {
      Instant now = clock.instant();
      if (!RunSql.fire(c, timerId, node, now)) {
        return List.of();
      }
      List<NewEvent> events = runs.fired(c, RunSql.timerRow(c, timerId), now);
      return events.isEmpty() ? List.<JournalEvent>of() : Journal.append(c, now, events);
    });
  }
}
