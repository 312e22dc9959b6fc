package io.muster.playbook.domain;

import io.muster.incident.domain.Incident;
import io.muster.incident.domain.Severity;
import io.muster.roster.domain.FacilityType;
import java.util.Set;

/** When a step or task applies: severities, drill or not, facility types. Empty means any. */
public record Condition(Set<Severity> severity, Boolean drill, Set<FacilityType> facility) {
  public static final Condition ALWAYS = new Condition(Set.of(), null, Set.of());

  public Condition {
    severity = severity == null ? Set.of() : Set.copyOf(severity);
    facility = facility == null ? Set.of() : Set.copyOf(facility);
  }

  public boolean holds(Incident incident, FacilityType type) {
    return (severity.isEmpty() || severity.contains(incident.severity()))
        && (drill == null || drill == incident.drill())
        && (facility.isEmpty() || facility.contains(type));
  }
}
