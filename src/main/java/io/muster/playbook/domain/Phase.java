package io.muster.playbook.domain;

import java.util.Locale;

/** The HICS operational periods a task belongs to. */
public enum Phase {
  IMMEDIATE, INTERMEDIATE, EXTENDED, DEMOBILIZATION;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
