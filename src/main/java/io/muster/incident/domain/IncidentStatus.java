package io.muster.incident.domain;

import java.util.Locale;

public enum IncidentStatus {
  ACTIVE, RESOLVED;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static IncidentStatus of(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
