package io.muster.playbook.domain;

import java.util.List;

/** The Hospital Incident Command System positions a playbook may activate. */
public final class Positions {
  public static final List<String> HICS = List.of(
      "incident-commander",
      "public-information-officer",
      "safety-officer",
      "liaison-officer",
      "medical-technical-specialist",
      "operations-section-chief",
      "planning-section-chief",
      "logistics-section-chief",
      "finance-administration-section-chief",
      "medical-care-branch-director",
      "infrastructure-branch-director",
      "security-branch-director");

  private Positions() {
  }
}
