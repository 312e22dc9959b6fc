package io.muster.incident.domain;

import io.muster.common.InvalidInput;

/**
 * The command to trigger an incident. Severity may be null: the playbook's own severity applies.
 * Whether the type and facility exist is checked against the loaded playbooks and roster.
 */
public record TriggerIncident(String type, String facilityId, String summary, Severity severity, boolean drill) {
  public static final int SUMMARY_MAX = 500;

  public TriggerIncident {
    if (type == null || type.isBlank()) {
      throw new InvalidInput("type", "is required");
    }
    if (facilityId == null || facilityId.isBlank()) {
      throw new InvalidInput("facilityId", "is required");
    }
    if (summary == null || summary.isBlank()) {
      throw new InvalidInput("summary", "is required");
    }
    summary = summary.strip();
    if (summary.length() > SUMMARY_MAX) {
      throw new InvalidInput("summary", "must be at most " + SUMMARY_MAX + " characters");
    }
  }
}
