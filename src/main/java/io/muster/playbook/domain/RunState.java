package io.muster.playbook.domain;

import io.muster.notify.domain.Notification;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the engine needs to know about one incident's playbook run, read from the database in the
 * transaction that makes the next decision.
 *
 * @param positions who fills each activated position
 * @param notifications every message sent for the incident
 * @param answers per rollcall step, each person's latest answer
 * @param rollcalls per rollcall step, its status
 * @param tasks the incident's tasks
 */
public record RunState(Map<String, StaffRef> positions, List<Notification> notifications,
                       Map<String, Map<String, Answer>> answers, Map<String, RollcallStatus> rollcalls,
                       List<TaskState> tasks) {

  /** A person as the run knows them. */
  public record StaffRef(String id, String name, String phone) { }

  /** One person's answer to a rollcall; {@code counted}: it counts toward the need. */
  public record Answer(String staffId, String staffName, int choice, boolean yes, boolean counted) { }

  public enum RollcallStatus {
    OPEN, MET, CLOSED;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public enum TaskStatus {
    OPEN, DONE;

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public record TaskState(String taskId, String owner, StaffRef ownerStaff, TaskStatus status,
                          java.time.Instant dueAt) { }

  public static RunState empty() {
    return new RunState(Map.of(), List.of(), Map.of(), Map.of(), List.of());
  }

  /** How many counted "yes" answers a rollcall has. */
  public int tally(String stepId) {
    return (int) answers.getOrDefault(stepId, Map.of()).values().stream().filter(a -> a.yes() && a.counted()).count();
  }

  public boolean stepAcknowledged(String stepId) {
    return notifications.stream().anyMatch(n -> stepId.equals(n.stepId()) && n.ackedAt() != null);
  }

  public Optional<TaskState> task(String taskId) {
    return tasks.stream().filter(t -> t.taskId().equals(taskId)).findFirst();
  }
}
