package io.muster.incident.domain;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.FacilityType;
import java.util.Set;

/** A kind of incident Muster can run (one per loaded playbook): its default severity and where it applies. */
public record IncidentType(String id, Severity severity, Set<FacilityType> appliesTo) {
  public IncidentType {
    appliesTo = Set.copyOf(appliesTo);
  }

  public boolean appliesTo(Facility facility) {
    return appliesTo.contains(facility.type());
  }

  /** Refuses a facility this type does not apply to, saying which and why. */
  public void checkAppliesTo(Facility facility) {
    if (!appliesTo(facility)) {
      throw new Rejection(ErrorCode.UNKNOWN_REFERENCE, "type", "the '" + id + "' playbook does not apply to a "
          + facility.type().id() + " (" + facility.name() + ")");
    }
  }
}
