package io.muster.roster.domain;

import java.util.Locale;

public enum FacilityType {
  HOSPITAL, CLINIC, NURSING_HOME;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static FacilityType of(String id) {
    for (FacilityType t : values()) {
      if (t.id().equals(id)) {
        return t;
      }
    }
    throw new IllegalArgumentException("type: must be hospital, clinic or nursing-home, got " + id);
  }
}
