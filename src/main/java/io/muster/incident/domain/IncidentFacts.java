package io.muster.incident.domain;

/** An incident as the API, the journal and the live stream show it: identifiers, words and times as text. */
public record IncidentFacts(String id, String ref, String type, String facilityId, String summary, String severity,
                            boolean drill, String status, String triggeredAt, String triggeredBy, String resolvedAt,
                            String resolvedBy) {

  public static IncidentFacts of(Incident i) {
    return new IncidentFacts(i.id(), i.ref(), i.type(), i.facilityId(), i.summary(), i.severity().id(), i.drill(),
        i.status().id(), text(i.triggeredAt()), i.triggeredBy(), text(i.resolvedAt()), i.resolvedBy());
  }

  private static String text(java.time.Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
