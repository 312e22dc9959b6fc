package io.muster.store;

import java.time.Instant;
import java.util.Map;

/**
 * One committed event: its global sequence, type, incident, facility (the payload's, else the
 * incident's; null for events of no facility), time, actor and payload.
 */
public record JournalEvent(long seq, String type, String incidentId, String facilityId, Instant at, String actor,
                           Map<String, Object> payload) {
}
