package io.muster.playbook.domain;

import io.muster.incident.domain.Severity;
import java.util.List;

/** What happens when an incident of this type is triggered, and what is said at stand-down. */
public record Playbook(String id, String name, Severity severity, List<PageStep> steps, Template standDown) {
  public Playbook {
    if (id == null || !id.matches("[a-z][a-z0-9-]{0,63}")) {
      throw new IllegalArgumentException("id: must be lowercase words joined by dashes, got " + id);
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: is required");
    }
    if (severity == null) {
      throw new IllegalArgumentException("severity: is required");
    }
    if (steps == null || steps.isEmpty()) {
      throw new IllegalArgumentException("steps: at least one step is required");
    }
    steps = List.copyOf(steps);
    if (standDown == null) {
      throw new IllegalArgumentException("stand-down: is required");
    }
  }

  public PageStep firstStep() {
    return steps.get(0);
  }
}
