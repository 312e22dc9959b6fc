package io.muster.store;

import java.time.Instant;
import java.util.Map;

/** One committed event: its global sequence, type, incident, time, actor and payload. */
public record JournalEvent(long seq, String type, String incidentId, Instant at, String actor,
                           Map<String, Object> payload) {
}
