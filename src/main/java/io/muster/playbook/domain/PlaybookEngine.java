package io.muster.playbook.domain;

import io.muster.incident.domain.Incident;
import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The playbook's semantics, free of storage and time: given the run so far and what just happened
 * (the incident started, someone answered, a timer fired, the incident ended), it decides what
 * happens next and explains each decision as an event. The caller supplies the time, so a
 * twelve-hour playbook runs under a virtual clock in milliseconds.
 */
public final class PlaybookEngine {
  private final Playbook playbook;
  private final Roster roster;
  private final Incident incident;
  private final Facility facility;

  public PlaybookEngine(Playbook playbook, Roster roster, Incident incident, Facility facility) {
    this.playbook = playbook;
    this.roster = roster;
    this.incident = incident;
    this.facility = facility;
  }

  /** The incident started: fill positions, run the steps that apply, create tasks, set timers. */
  public Plan start(Instant now) {
    Plan plan = new Plan();
    Map<String, RunState.StaffRef> filled = fillPositions(plan, now);
    RunState state = new RunState(filled, List.of(), Map.of(), Map.of(), List.of());
    for (Step step : playbook.steps()) {
      if (!step.when().holds(incident, facility.type())) {
        plan.event(new PlaybookEvent.StepSkipped(step.id(), "its conditions do not hold"));
      } else if (step instanceof PageStep page) {
        startPage(plan, state, page, now);
      } else if (step instanceof RollcallStep rollcall) {
        startRollcall(plan, state, rollcall, now);
      } else if (step instanceof ReadinessStep readiness) {
        plan.event(new PlaybookEvent.ReadinessChangeRequested(readiness.id(), facility.id(),
            new LinkedHashMap<>(readiness.changes())));
      }
    }
    for (TaskDef task : playbook.tasks()) {
      if (task.when().holds(incident, facility.type())) {
        createTask(plan, filled, task, now);
      }
    }
    if (playbook.reminder() != null) {
      plan.timers.add(new Plan.Timer(TimerKind.REMINDER, "reminder", 0, 1, now.plus(playbook.reminder().every())));
    }
    return plan;
  }

  /** A page of a step was acknowledged: the step's escalation stops. */
  public Plan acknowledged(RunState state, Notification page, Instant now) {
    Plan plan = new Plan();
    if (page.stepId() != null && !state.stepAcknowledged(page.stepId())) {
      plan.cancels.add(new Plan.Timer(TimerKind.ESCALATE, page.stepId(), 0, 0, now));
      plan.event(new PlaybookEvent.EscalationStopped(page.stepId(), page.staffId(), page.staffName(), page.level()));
    }
    return plan;
  }

  /** A rollcall answer from someone who was asked. A later answer replaces the earlier one. */
  public Plan answered(RunState state, Notification ask, int choice, Instant now) {
    Plan plan = new Plan();
    RollcallStep step = (RollcallStep) playbook.step(ask.stepId()).orElseThrow();
    RunState.StaffRef who = new RunState.StaffRef(ask.staffId(), ask.staffName(), ask.phone());
    RollcallStep.Answer answer = step.answers().get(choice);
    RunState.RollcallStatus status = state.rollcalls().getOrDefault(step.id(), RunState.RollcallStatus.OPEN);
    if (status == RunState.RollcallStatus.CLOSED) {
      plan.sends.add(info(who, "This call-out has ended. Thank you."));
      return plan;
    }
    RunState.Answer previous = state.answers().getOrDefault(step.id(), Map.of()).get(ask.staffId());
    boolean wasCounted = previous != null && previous.yes() && previous.counted();
    int tallyBefore = state.tally(step.id());
    boolean late = answer.yes() && !wasCounted && status == RunState.RollcallStatus.MET;
    boolean counted = answer.yes() && !late;
    plan.answers.add(new Plan.RollcallAnswer(step.id(),
        new RunState.Answer(who.id(), who.name(), choice, answer.yes(), counted), answer.eta()));
    int tally = tallyBefore - (wasCounted ? 1 : 0) + (counted ? 1 : 0);
    plan.event(new PlaybookEvent.RollcallAnswered(step.id(), who.id(), who.name(), choice, answer.label(),
        answer.yes(), answer.eta() == null ? null : answer.eta().toMinutes(), counted, tally, step.need()));
    if (late) {
      plan.sends.add(info(who, "Thank you. We have enough staff now: you are not needed for this call-out."));
    }
    if (status == RunState.RollcallStatus.OPEN && tally >= step.need()) {
      plan.rollcalls.put(step.id(), RunState.RollcallStatus.MET);
      plan.event(new PlaybookEvent.RollcallNeedMet(step.id(), tally, step.need()));
    } else if (status == RunState.RollcallStatus.MET && tally < step.need()) {
      plan.rollcalls.put(step.id(), RunState.RollcallStatus.OPEN);
      plan.event(new PlaybookEvent.RollcallNeedUnmet(step.id(), tally, step.need()));
    }
    return plan;
  }

  /** A timer of this run fired. */
  public Plan fired(RunState state, Plan.Timer timer, Instant now) {
    return switch (timer.kind()) {
      case ESCALATE -> escalate(state, timer, now);
      case WIDEN -> widen(state, timer, now);
      case TASK_DUE -> taskDue(state, timer);
      case REMINDER -> remind(state, now);
    };
  }

  /** A task was completed; its due timer is no longer needed. */
  public Plan taskCompleted(RunState state, String taskId, String actor) {
    Plan plan = new Plan();
    RunState.TaskState task = state.task(taskId).orElseThrow();
    if (task.status() == RunState.TaskStatus.DONE) {
      return plan;
    }
    plan.tasksDone.add(taskId);
    plan.cancels.add(new Plan.Timer(TimerKind.TASK_DUE, taskId, 0, 0, null));
    plan.event(new PlaybookEvent.TaskCompleted(taskId, task.owner(), actor));
    return plan;
  }

  /**
   * Stand-down: every pending timer is cancelled, every rollcall closed (outstanding asks are
   * answered "ended" if someone replies later), and everyone who was messaged gets the all-clear.
   */
  public Plan standDown(RunState state) {
    Plan plan = new Plan();
    plan.cancels.add(new Plan.Timer(null, null, 0, 0, null));
    state.rollcalls().forEach((stepId, status) -> {
      if (status != RunState.RollcallStatus.CLOSED) {
        plan.rollcalls.put(stepId, RunState.RollcallStatus.CLOSED);
        plan.event(new PlaybookEvent.RollcallClosed(stepId, state.tally(stepId)));
      }
    });
    String body = Messages.allClear(incident, playbook, facility.name());
    Map<String, RunState.StaffRef> everyone = new LinkedHashMap<>();
    for (Notification n : state.notifications()) {
      if (n.kind() != Notification.Kind.ALL_CLEAR && n.kind() != Notification.Kind.INFO) {
        everyone.putIfAbsent(n.staffId(), new RunState.StaffRef(n.staffId(), n.staffName(), n.phone()));
      }
    }
    everyone.values().forEach(s -> plan.sends.add(new Plan.Send(s, Notification.Kind.ALL_CLEAR, body, false, null, 0)));
    plan.event(new PlaybookEvent.StoodDown(everyone.size()));
    return plan;
  }

  // ---- steps

  /**
   * Each position goes to someone on shift holding its first role that anyone on shift holds;
   * with nobody on shift for any of its roles, to the first holder at all.
   */
  private Map<String, RunState.StaffRef> fillPositions(Plan plan, Instant now) {
    Map<String, RunState.StaffRef> filled = new LinkedHashMap<>();
    playbook.positions().forEach((position, roles) -> {
      Optional<Staff> filler = roles.stream()
          .flatMap(role -> roster.holding(facility.id(), List.of(role)).stream())
          .filter(s -> s.onDuty(now, facility.zone())).findFirst()
          .or(() -> roles.stream().flatMap(role -> roster.holding(facility.id(), List.of(role)).stream()).findFirst());
      if (filler.isPresent()) {
        RunState.StaffRef ref = ref(filler.get());
        filled.put(position, ref);
        plan.positions.put(position, ref);
        plan.event(new PlaybookEvent.PositionFilled(position, ref.id(), ref.name(),
            filler.get().onDuty(now, facility.zone())));
      } else {
        plan.event(new PlaybookEvent.PositionUnfilled(position, roles));
      }
    });
    return filled;
  }

  private void startPage(Plan plan, RunState state, PageStep step, Instant now) {
    List<RunState.StaffRef> to = resolve(step.to(), state.positions(), now);
    page(plan, step, to, 0, now);
    plan.event(new PlaybookEvent.StepStarted(step.id(), "page", to.size(), step.ack().required()));
    if (step.ack().required()) {
      // Nobody to page: escalate at once rather than wait for an answer that cannot come.
      plan.timers.add(new Plan.Timer(TimerKind.ESCALATE, step.id(), 0, 0,
          to.isEmpty() ? now : now.plus(step.ack().every())));
    }
  }

  private void page(Plan plan, PageStep step, List<RunState.StaffRef> to, int level, Instant now) {
    String body = Messages.page(incident, playbook, facility.name(), step);
    for (RunState.StaffRef s : to) {
      plan.sends.add(new Plan.Send(s, Notification.Kind.PAGE, body, step.ack().required(), step.id(), level));
    }
  }

  private Plan escalate(RunState state, Plan.Timer timer, Instant now) {
    Plan plan = new Plan();
    PageStep step = (PageStep) playbook.step(timer.target()).orElseThrow();
    if (state.stepAcknowledged(step.id())) {
      return plan;
    }
    List<RunState.StaffRef> again = paged(state, step.id(), timer.level());
    if (timer.attempt() < step.ack().repeat() && !again.isEmpty()) {
      page(plan, step, again, timer.level(), now);
      plan.timers.add(new Plan.Timer(TimerKind.ESCALATE, step.id(), timer.level(), timer.attempt() + 1,
          now.plus(step.ack().every())));
      plan.event(new PlaybookEvent.PageRepeated(step.id(), timer.level(), timer.attempt() + 1, again.size()));
      return plan;
    }
    if (step.ack().call()) {
      call(plan, step, again, timer.level());
    }
    int next = timer.level() + 1;
    if (next >= step.ack().levels()) {
      plan.event(new PlaybookEvent.PageUnanswered(step.id(), step.ack().levels()));
      return plan;
    }
    List<RunState.StaffRef> to = resolve(step.ack().level(step, next), state.positions(), now);
    page(plan, step, to, next, now);
    plan.timers.add(new Plan.Timer(TimerKind.ESCALATE, step.id(), next, 0,
        to.isEmpty() ? now : now.plus(step.ack().every())));
    plan.event(new PlaybookEvent.PageEscalated(step.id(), next, to.size()));
    return plan;
  }

  /** A voice call to each unanswered person of a level, reading the page; "press 1" acknowledges. */
  private void call(Plan plan, PageStep step, List<RunState.StaffRef> people, int level) {
    String text = step.say().render(Messages.values(incident, playbook, facility.name()));
    String spoken = (incident.drill() ? "This is a drill. " : "") + "Muster alert. " + text;
    people.forEach(s -> plan.sends.add(new Plan.Send(s, Notification.Kind.VOICE, spoken, true, step.id(), level)));
    if (!people.isEmpty()) {
      plan.event(new PlaybookEvent.PageCalled(step.id(), level, people.size()));
    }
  }

  private void startRollcall(Plan plan, RunState state, RollcallStep step, Instant now) {
    List<RunState.StaffRef> to = resolve(step.to(), state.positions(), now);
    ask(plan, step, to);
    plan.rollcalls.put(step.id(), RunState.RollcallStatus.OPEN);
    for (int i = 0; i < step.widen().size(); i++) {
      plan.timers.add(new Plan.Timer(TimerKind.WIDEN, step.id(), i, 0, now.plus(step.widen().get(i).after())));
    }
    plan.event(new PlaybookEvent.RollcallStarted(step.id(), to.size(), step.need()));
  }

  private void ask(Plan plan, RollcallStep step, List<RunState.StaffRef> to) {
    String body = Messages.frame(incident, step.ask().render(Messages.values(incident, playbook, facility.name()))
        + " " + step.menu() + ".");
    for (RunState.StaffRef s : to) {
      plan.sends.add(new Plan.Send(s, Notification.Kind.ROLLCALL, body, false, step.id(), 0));
    }
  }

  private Plan widen(RunState state, Plan.Timer timer, Instant now) {
    Plan plan = new Plan();
    RollcallStep step = (RollcallStep) playbook.step(timer.target()).orElseThrow();
    if (state.rollcalls().getOrDefault(step.id(), RunState.RollcallStatus.OPEN) != RunState.RollcallStatus.OPEN) {
      return plan;
    }
    List<String> alreadyAsked = state.notifications().stream()
        .filter(n -> step.id().equals(n.stepId())).map(Notification::staffId).toList();
    List<RunState.StaffRef> more = resolve(step.widen().get(timer.level()).to(), state.positions(), now).stream()
        .filter(s -> !alreadyAsked.contains(s.id())).toList();
    ask(plan, step, more);
    plan.event(new PlaybookEvent.RollcallWidened(step.id(), more.size(), state.tally(step.id()), step.need()));
    return plan;
  }

  // ---- tasks and reminders

  private void createTask(Plan plan, Map<String, RunState.StaffRef> filled, TaskDef task, Instant now) {
    RunState.StaffRef owner = filled.get(task.owner());
    Instant due = now.plus(task.due());
    String text = task.text().render(Messages.values(incident, playbook, facility.name()));
    plan.tasks.add(new Plan.NewTask(task, text, owner, due));
    plan.timers.add(new Plan.Timer(TimerKind.TASK_DUE, task.id(), 0, 0, due));
    plan.event(new PlaybookEvent.TaskCreated(task.id(), task.phase().id(), task.owner(),
        owner == null ? null : owner.id(), owner == null ? null : owner.name(), text, due.toString()));
  }

  private Plan taskDue(RunState state, Plan.Timer timer) {
    Plan plan = new Plan();
    Optional<RunState.TaskState> task = state.task(timer.target());
    if (task.isEmpty() || task.get().status() == RunState.TaskStatus.DONE) {
      return plan;
    }
    TaskDef def = playbook.task(timer.target()).orElseThrow();
    RunState.StaffRef owner = task.get().ownerStaff();
    if (owner != null) {
      String text = def.text().render(Messages.values(incident, playbook, facility.name()));
      plan.sends.add(new Plan.Send(owner, Notification.Kind.TASK,
          Messages.frame(incident, "OVERDUE task (" + def.owner() + "): " + text), false, null, 0));
    }
    plan.event(new PlaybookEvent.TaskOverdue(def.id(), def.owner(), owner == null ? null : owner.id(), owner != null));
    return plan;
  }

  private Plan remind(RunState state, Instant now) {
    Plan plan = new Plan();
    Reminder reminder = playbook.reminder();
    String body = Messages.frame(incident, reminder.say().render(Messages.values(incident, playbook, facility.name())));
    List<RunState.StaffRef> to = resolve(reminder.to(), state.positions(), now);
    to.forEach(s -> plan.sends.add(new Plan.Send(s, Notification.Kind.REMINDER, body, false, null, 0)));
    plan.timers.add(new Plan.Timer(TimerKind.REMINDER, "reminder", 0, 0, now.plus(reminder.every())));
    plan.event(new PlaybookEvent.ReminderSent(to.size()));
    return plan;
  }

  // ---- helpers

  /** Roles (who is reachable for them now, see Roster) and positions (whoever fills them), once each. */
  private List<RunState.StaffRef> resolve(List<String> names, Map<String, RunState.StaffRef> positions, Instant now) {
    Map<String, RunState.StaffRef> out = new LinkedHashMap<>();
    for (String name : names) {
      if (playbook.positions().containsKey(name)) {
        RunState.StaffRef filler = positions.get(name);
        if (filler != null) {
          out.putIfAbsent(filler.id(), filler);
        }
      } else {
        roster.reachable(facility, name, now).forEach(s -> out.putIfAbsent(s.id(), ref(s)));
      }
    }
    return new ArrayList<>(out.values());
  }

  /** The people paged at a level of a step whose page did not fail (for a repeat). */
  private static List<RunState.StaffRef> paged(RunState state, String stepId, int level) {
    Map<String, RunState.StaffRef> out = new LinkedHashMap<>();
    for (Notification n : state.notifications()) {
      if (stepId.equals(n.stepId()) && n.level() == level && n.kind() == Notification.Kind.PAGE
          && n.status() != DeliveryStatus.FAILED && n.status() != DeliveryStatus.UNDELIVERED) {
        out.putIfAbsent(n.staffId(), new RunState.StaffRef(n.staffId(), n.staffName(), n.phone()));
      }
    }
    return new ArrayList<>(out.values());
  }

  private Plan.Send info(RunState.StaffRef to, String text) {
    return new Plan.Send(to, Notification.Kind.INFO, Messages.frame(incident, text), false, null, 0);
  }

  private static RunState.StaffRef ref(Staff s) {
    return new RunState.StaffRef(s.id(), s.name(), s.phone());
  }

  /** An event payload in the order given; null values are kept (they say "none"). */
}
