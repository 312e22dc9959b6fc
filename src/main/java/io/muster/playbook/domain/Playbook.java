package io.muster.playbook.domain;

import io.muster.incident.domain.Severity;
import io.muster.roster.domain.FacilityType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What happens, minute by minute, when an incident of this type hits a facility: the HICS
 * positions activated and the roles that fill them (in order of preference), the steps run at the
 * start, the tasks by phase, status reminders, and what is said at stand-down.
 */
public record Playbook(String id, String name, Severity severity, Set<FacilityType> appliesTo,
                       Map<String, List<String>> positions, List<Step> steps, List<TaskDef> tasks,
                       Reminder reminder, Template standDown) {
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
    if (standDown == null) {
      throw new IllegalArgumentException("stand-down: is required");
    }
    appliesTo = appliesTo == null || appliesTo.isEmpty() ? Set.of(FacilityType.values()) : Set.copyOf(appliesTo);
    positions = positions == null ? Map.of() : new LinkedHashMap<>(positions);
    steps = List.copyOf(steps);
    tasks = tasks == null ? List.of() : List.copyOf(tasks);
  }

  public Optional<Step> step(String stepId) {
    return steps.stream().filter(s -> s.id().equals(stepId)).findFirst();
  }

  public Optional<TaskDef> task(String taskId) {
    return tasks.stream().filter(t -> t.id().equals(taskId)).findFirst();
  }
}
