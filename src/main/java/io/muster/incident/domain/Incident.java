package io.muster.incident.domain;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import java.time.Instant;
import java.util.UUID;
import java.util.random.RandomGenerator;

/** An incident at a facility, run by the playbook of its type. */
public record Incident(String id, String ref, String type, String facilityId, String summary,
                       Severity severity, boolean drill, IncidentStatus status,
                       Instant triggeredAt, String triggeredBy, Instant resolvedAt, String resolvedBy) {

  public boolean active() {
    return status == IncidentStatus.ACTIVE;
  }

  private static final String REF_ALPHABET = "ACDEFHJKMNPRTUVWXY3479";

  /** A new active incident of a type at a facility: the command's severity, else the type's. */
  public static Incident open(TriggerIncident cmd, IncidentType type, String ref, Instant now, String actor) {
    return new Incident(UUID.randomUUID().toString(), ref, type.id(), cmd.facilityId(), cmd.summary(),
        cmd.severity() == null ? type.severity() : cmd.severity(), cmd.drill(), IncidentStatus.ACTIVE, now, actor,
        null, null);
  }

  /** A short reference staff can type in a reply ("2 KP3RJ"), from an alphabet without look-alikes. */
  public static String newRef(RandomGenerator random) {
    StringBuilder ref = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      ref.append(REF_ALPHABET.charAt(random.nextInt(REF_ALPHABET.length())));
    }
    return ref.toString();
  }

  /** Resolves an active incident; an incident is resolved once. */
  public Incident resolve(Instant at, String actor) {
    if (!active()) {
      throw new Rejection(ErrorCode.CONFLICT, null, "incident " + id + " is already resolved");
    }
    return new Incident(id, ref, type, facilityId, summary, severity, drill, IncidentStatus.RESOLVED,
        triggeredAt, triggeredBy, at, actor);
  }

  /** Refuses a change (a task completed) to an incident that is no longer active. */
  public void checkActive() {
    if (!active()) {
      throw new Rejection(ErrorCode.CONFLICT, null, "incident " + id + " is resolved");
    }
  }

}
