package io.muster.incident.domain;

import io.muster.common.InvalidInput;

import java.util.Locale;

/** How bad it is, as the command center declares it. */
public enum Severity {
  LOW, MODERATE, HIGH, CRITICAL;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Severity of(String field, String value) {
    for (Severity s : values()) {
      if (s.id().equals(value)) {
        return s;
      }
    }
    throw new InvalidInput(field, "must be one of low, moderate, high, critical; got '" + value + "'");
  }
}
