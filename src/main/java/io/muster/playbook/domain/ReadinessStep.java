package io.muster.playbook.domain;

import java.util.Map;
import java.util.TreeMap;

/** Changes to the facility's readiness board (for example ED status to mass casualty). */
public record ReadinessStep(String id, Condition when, Map<String, String> changes) implements Step {
  /** The readiness values a playbook may set, with the values each accepts. */
  public static final Map<String, java.util.Set<String>> FIELDS = Map.of(
      "ed-status", java.util.Set.of("normal", "advisory", "diversion", "closed", "mass-casualty"),
      "ems-traffic", java.util.Set.of("open", "advisory", "closed"),
      "facility-status", java.util.Set.of("normal", "limited", "evacuating", "closed"));

  public ReadinessStep {
    if (changes == null || changes.isEmpty()) {
      throw new IllegalArgumentException("readiness: at least one change is required");
    }
    changes = new TreeMap<>(changes);
    when = when == null ? Condition.ALWAYS : when;
  }
}
