package io.muster.playbook.domain;

import io.muster.notify.domain.Notification;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decisions the engine made: messages to send, timers to set or cancel, state to record, and
 * the events that explain each decision. The store applies a plan in the transaction that asked.
 */
public final class Plan {
  /** A message for one person. */
  public record Send(RunState.StaffRef to, Notification.Kind kind, String body, boolean requiresAck,
                     String stepId, int level) { }

  /** A durable timer: {@code target} is a step or task id. */
  public record Timer(TimerKind kind, String target, int level, int attempt, Instant dueAt) { }

  public final List<Send> sends = new ArrayList<>();
  public final List<Timer> timers = new ArrayList<>();
  /** Cancel pending timers of this kind and target (target null: every pending timer). */
  public final List<Timer> cancels = new ArrayList<>();
  public final Map<String, RunState.StaffRef> positions = new LinkedHashMap<>();
  public final Map<String, RunState.RollcallStatus> rollcalls = new LinkedHashMap<>();
  public final List<RollcallAnswer> answers = new ArrayList<>();
  public final List<NewTask> tasks = new ArrayList<>();
  public final List<String> tasksDone = new ArrayList<>();
  public final List<PlaybookEvent> events = new ArrayList<>();

  /** A rollcall answer to record (replacing the person's earlier one). */
  public record RollcallAnswer(String stepId, RunState.Answer answer, java.time.Duration eta) { }

  /** A task to create. */
  public record NewTask(TaskDef def, String text, RunState.StaffRef owner, Instant dueAt) { }

  public Plan event(PlaybookEvent event) {
    events.add(event);
    return this;
  }
}
