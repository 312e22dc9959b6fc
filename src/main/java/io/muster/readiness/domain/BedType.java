package io.muster.readiness.domain;

import java.util.Locale;

/**
 * HAvBED bed types (and ventilators, counted like beds). {@code patientsPerNurse} is the default
 * staffing ratio: how many patients of this type one nurse can take; configuration may change it.
 */
public enum BedType {
  ADULT_ICU(2, "AdultICU"),
  MEDICAL_SURGICAL(5, "MedicalSurgical"),
  BURN(2, "Burn"),
  PEDIATRIC_ICU(2, "PediatricICU"),
  PEDIATRICS(4, "Pediatrics"),
  PSYCHIATRIC(6, "Psychiatric"),
  NEGATIVE_PRESSURE_ISOLATION(2, "NegativeFlowIsolation"),
  OPERATING_ROOMS(1, "OperatingRooms"),
  VENTILATORS(4, "Ventilators");

  private final int patientsPerNurse;
  private final String haveName;

  BedType(int patientsPerNurse, String haveName) {
    this.patientsPerNurse = patientsPerNurse;
    this.haveName = haveName;
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public int defaultPatientsPerNurse() {
    return patientsPerNurse;
  }

  /** The name EDXL-HAVE gives this bed type. */
  public String haveName() {
    return haveName;
  }

  public static BedType of(String id) {
    for (BedType t : values()) {
      if (t.id().equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown bed type '" + id + "'");
  }
}
