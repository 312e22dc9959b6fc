package io.muster.playbook.domain;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.muster.common.Event;
import java.util.List;
import java.util.Map;

/** What a playbook run decided, each with what caused it; the engine makes them, the journal keeps them. */
public sealed interface PlaybookEvent extends Event {

  @Event.Type("position.filled")
  record PositionFilled(String position, String staffId, String staffName, boolean onShift) implements PlaybookEvent { }

  @Event.Type("position.unfilled")
  record PositionUnfilled(String position, List<String> roles) implements PlaybookEvent { }

  @Event.Type("step.started")
  record StepStarted(String stepId, String kind, int recipients, boolean ackRequired) implements PlaybookEvent { }

  @Event.Type("step.skipped")
  record StepSkipped(String stepId, String reason) implements PlaybookEvent { }

  @Event.Type("page.repeated")
  record PageRepeated(String stepId, int level, int repeat, int recipients) implements PlaybookEvent { }

  @Event.Type("page.escalated")
  record PageEscalated(String stepId, int level, int recipients) implements PlaybookEvent { }

  @Event.Type("page.unanswered")
  record PageUnanswered(String stepId, int levels) implements PlaybookEvent { }

  @Event.Type("page.called")
  record PageCalled(String stepId, int level, int recipients) implements PlaybookEvent { }

  /** Nobody at the page's level can be reached any more: it escalates now. */
  @Event.Type("page.unreachable")
  record PageUnreachable(String stepId, int level) implements PlaybookEvent { }

  @Event.Type("escalation.stopped")
  record EscalationStopped(String stepId, String staffId, String staffName, int level) implements PlaybookEvent { }

  @Event.Type("rollcall.started")
  record RollcallStarted(String stepId, int asked, int need) implements PlaybookEvent { }

  @Event.Type("rollcall.widened")
  record RollcallWidened(String stepId, int asked, int tally, int need) implements PlaybookEvent { }

  @Event.Type("rollcall.answered")
  record RollcallAnswered(String stepId, String staffId, String staffName, int choice, String answer, boolean yes,
                          Long etaMinutes, boolean counted, int tally, int need) implements PlaybookEvent { }

  @Event.Type("rollcall.need-met")
  record RollcallNeedMet(String stepId, int tally, int need) implements PlaybookEvent { }

  @Event.Type("rollcall.need-unmet")
  record RollcallNeedUnmet(String stepId, int tally, int need) implements PlaybookEvent { }

  @Event.Type("rollcall.closed")
  record RollcallClosed(String stepId, int tally) implements PlaybookEvent { }

  /** A readiness step: the changes the playbook makes to its facility's board (applied in the same transaction). */
  @Event.Type("readiness.change-requested")
  record ReadinessChangeRequested(String stepId, String facilityId, Map<String, String> changes)
      implements PlaybookEvent { }

  @Event.Type("task.created")
  record TaskCreated(String taskId, String phase, String owner, String staffId, String staffName,
                     @JsonProperty("do") String task, String dueAt) implements PlaybookEvent { }

  @Event.Type("task.overdue")
  record TaskOverdue(String taskId, String owner, String staffId, boolean paged) implements PlaybookEvent { }

  @Event.Type("task.completed")
  record TaskCompleted(String taskId, String owner, String by) implements PlaybookEvent { }

  @Event.Type("reminder.sent")
  record ReminderSent(int recipients) implements PlaybookEvent { }

  @Event.Type("timers.cancelled")
  record TimersCancelled(int count) implements PlaybookEvent { }

  @Event.Type("playbook.stood-down")
  record StoodDown(int allClear) implements PlaybookEvent { }
}
