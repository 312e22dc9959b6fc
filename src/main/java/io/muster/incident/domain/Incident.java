package io.muster.incident.domain;

import java.time.Instant;

/** An incident at a facility, run by the playbook of its type. */
public record Incident(String id, String ref, String type, String facilityId, String summary,
                       Severity severity, boolean drill, IncidentStatus status,
                       Instant triggeredAt, String triggeredBy, Instant resolvedAt, String resolvedBy) {

  public boolean active() {
    return status == IncidentStatus.ACTIVE;
  }

  public Incident resolve(Instant at, String actor) {
    return new Incident(id, ref, type, facilityId, summary, severity, drill, IncidentStatus.RESOLVED,
        triggeredAt, triggeredBy, at, actor);
  }
}
