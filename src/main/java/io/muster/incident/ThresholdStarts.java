package io.muster.incident;

import io.muster.common.Event;
import io.muster.readiness.domain.ReadinessEvent;
import io.muster.store.Db;
import io.muster.store.EventJson;
import io.muster.store.JournalCursor;
import io.muster.store.JournalEvent;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Starts the incident a readiness threshold names when the threshold begins to hold ({@code
 * readiness.threshold-crossed}), unless one of that type is already active at the facility: once
 * across the cluster, in the transaction that moves this reader's journal cursor.
 */
public final class ThresholdStarts {
  static final String CURSOR = "incident.thresholds";

  private final JournalCursor cursor;
  private final Incidents incidents;

  public ThresholdStarts(Db db, Clock clock, Incidents incidents) {
    this.cursor = new JournalCursor(db, clock, CURSOR, Set.of(Event.typeOf(ReadinessEvent.ThresholdCrossed.class)));
    this.incidents = incidents;
  }

  /** Blocking: starts what the thresholds crossed since the last poll call for; returns the events to publish. */
  public List<JournalEvent> poll() {
    return cursor.poll((c, e) -> {
      ReadinessEvent.ThresholdCrossed crossed = EventJson.read(e.payload(), ReadinessEvent.ThresholdCrossed.class);
      return incidents.startUnlessActive(c, crossed.trigger(), crossed.facilityId(), crossed.summary(),
          "readiness:" + crossed.rule());
    });
  }
}
