package io.muster.playbook.domain;

import io.muster.store.Payloads;
import io.muster.incident.domain.Incident;
import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.Roster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One playbook run held in memory, the way the database holds it: plans are applied as
 * {@code PlaybookRuns.apply} and {@code RunSql} apply them (positions, rollcall statuses, answers
 * replacing earlier ones, tasks, completions, cancellations, new timers, then the messages), and a
 * virtual clock fires the due timers in order of due time. A twelve-hour run takes milliseconds.
 */
final class RunSimulation {
  /** An event of the journal, with the virtual time it was recorded at. */
  record Logged(Instant at, String type, Map<String, Object> payload) { }

  private record Pending(long seq, Plan.Timer timer) { }

  private final Playbook playbook;
  private final String incidentId;
  private final PlaybookEngine engine;
  private final Instant start;
  private Instant now;
  private boolean active = true;
  private long seq;

  private final Map<String, RunState.StaffRef> positions = new LinkedHashMap<>();
  private final List<Notification> notifications = new ArrayList<>();
  private final Map<String, Map<String, RunState.Answer>> answers = new LinkedHashMap<>();
  private final Map<String, RunState.RollcallStatus> rollcalls = new LinkedHashMap<>();
  private final List<RunState.TaskState> tasks = new ArrayList<>();
  private final List<Pending> pending = new ArrayList<>();
  private final List<Logged> events = new ArrayList<>();
  private final List<Plan.Timer> fired = new ArrayList<>();
  private final List<Plan.Timer> cancels = new ArrayList<>();
  private Plan last;

  RunSimulation(Playbook playbook, Roster roster, Incident incident, Facility facility, Instant start) {
    this.playbook = playbook;
    this.incidentId = incident.id();
    this.engine = new PlaybookEngine(playbook, roster, incident, facility);
    this.start = start;
    this.now = start;
  }

  // ---- what happens

  /** The incident starts now. */
  RunSimulation start() {
    apply(engine.start(now));
    return this;
  }

  /** The person acknowledges this page (the engine decides first, then the ack is written). */
  Plan ack(Notification page) {
    Plan plan = engine.acknowledged(state(), page, now);
    apply(plan);
    for (int i = 0; i < notifications.size(); i++) {
      Notification n = notifications.get(i);
      if (n.id().equals(page.id()) && n.ackedAt() == null) {
        notifications.set(i, new Notification(n.id(), n.incidentId(), n.staffId(), n.staffName(), n.phone(),
            n.kind(), n.body(), n.requiresAck(), n.status(), n.providerSid(), n.errorCode(), n.attempts(),
            n.createdAt(), n.sentAt(), n.statusAt(), now, n.firstClaimedAt(), n.stepId(), n.level()));
      }
    }
    return plan;
  }

  /** The person replies with a number to their latest rollcall question; null if it is not an answer. */
  Plan answer(String staffId, int choice) {
    Notification ask = latest(staffId, Notification.Kind.ROLLCALL).orElseThrow(
        () -> new AssertionError(staffId + " was never asked a rollcall question"));
    return answer(ask, choice);
  }

  Plan answer(Notification ask, int choice) {
    Optional<Step> step = engineStep(ask.stepId());
    if (step.isEmpty() || !(step.get() instanceof RollcallStep r) || !r.answers().containsKey(choice)) {
      return null;
    }
    Plan plan = engine.answered(state(), ask, choice, now);
    apply(plan);
    return plan;
  }

  Plan completeTask(String taskId, String actor) {
    Plan plan = engine.taskCompleted(state(), taskId, actor);
    apply(plan);
    return plan;
  }

  /** The incident is resolved: its run stands down, and no timer of it fires any more. */
  Plan standDown() {
    Plan plan = engine.standDown(state());
    apply(plan);
    active = false;
    return plan;
  }

  /** Moves the clock on, firing every timer that falls due on the way, at its due time. */
  RunSimulation advance(Duration d) {
    return advanceTo(now.plus(d));
  }

  /** Fires the timers due now (such as an escalation "at once") without moving the clock. */
  RunSimulation fireDue() {
    return advanceTo(now);
  }

  RunSimulation advanceTo(Instant target) {
    while (true) {
      Optional<Pending> next = pending.stream()
          .filter(p -> !p.timer().dueAt().isAfter(target))
          .min(Comparator.comparing((Pending p) -> p.timer().dueAt()).thenComparingLong(Pending::seq));
      if (next.isEmpty()) {
        break;
      }
      pending.remove(next.get());
      if (next.get().timer().dueAt().isAfter(now)) {
        now = next.get().timer().dueAt();
      }
      fired.add(next.get().timer());
      if (active) {
        apply(engine.fired(state(), next.get().timer(), now));
      }
    }
    now = target;
    return this;
  }

  // ---- how the store applies a plan (PlaybookRuns.apply, RunSql)

  private void apply(Plan plan) {
    last = plan;
    plan.positions.forEach((position, staff) -> {
      if (positions.putIfAbsent(position, staff) != null) {
        throw new AssertionError("position " + position + " filled twice (primary key)");
      }
    });
    rollcalls.putAll(plan.rollcalls);
    for (Plan.RollcallAnswer a : plan.answers) {
      Map<String, RunState.Answer> byStaff = answers.computeIfAbsent(a.stepId(), k -> new LinkedHashMap<>());
      byStaff.remove(a.answer().staffId());
      byStaff.put(a.answer().staffId(), a.answer());
    }
    for (Plan.NewTask t : plan.tasks) {
      if (tasks.stream().anyMatch(x -> x.taskId().equals(t.def().id()))) {
        throw new AssertionError("task " + t.def().id() + " created twice (primary key)");
      }
      tasks.add(new RunState.TaskState(t.def().id(), t.def().owner(), t.owner(), RunState.TaskStatus.OPEN, t.dueAt()));
    }
    for (String taskId : plan.tasksDone) {
      for (int i = 0; i < tasks.size(); i++) {
        RunState.TaskState t = tasks.get(i);
        if (t.taskId().equals(taskId) && t.status() == RunState.TaskStatus.OPEN) {
          tasks.set(i, new RunState.TaskState(t.taskId(), t.owner(), t.ownerStaff(), RunState.TaskStatus.DONE,
              t.dueAt()));
        }
      }
    }
    int cancelled = 0;
    for (Plan.Timer which : plan.cancels) {
      cancels.add(which);
      int before = pending.size();
      pending.removeIf(p -> which.kind() == null
          || (p.timer().kind() == which.kind() && p.timer().target().equals(which.target())));
      cancelled += before - pending.size();
    }
    for (Plan.Timer t : plan.timers) {
      pending.add(new Pending(seq++, t));
    }
    for (PlaybookEvent e : plan.events) {
      events.add(new Logged(now, e.type(), Payloads.of(e)));
    }
    if (cancelled > 0) {
      events.add(new Logged(now, "timers.cancelled", Map.of("count", cancelled)));
    }
    for (Plan.Send s : plan.sends) {
      notifications.add(new Notification("n" + (notifications.size() + 1), incidentId, s.to().id(), s.to().name(),
          s.to().phone(), s.kind(), s.body(), s.requiresAck(), DeliveryStatus.QUEUED, null, null, 0, now, null, null,
          null, null, s.stepId(), s.level()));
    }
  }

  private Optional<Step> engineStep(String stepId) {
    return stepId == null ? Optional.empty() : playbook.step(stepId);
  }

  // ---- what the store holds

  /** The run as the database would return it now. */
  RunState state() {
    Map<String, Map<String, RunState.Answer>> a = new LinkedHashMap<>();
    answers.forEach((k, v) -> a.put(k, new LinkedHashMap<>(v)));
    List<RunState.TaskState> t = tasks.stream()
        .sorted(Comparator.comparing(RunState.TaskState::dueAt).thenComparing(RunState.TaskState::taskId)).toList();
    return new RunState(new LinkedHashMap<>(positions), List.copyOf(notifications), a, new LinkedHashMap<>(rollcalls), t);
  }

  Instant now() {
    return now;
  }

  Plan lastPlan() {
    return last;
  }

  List<Notification> notifications() {
    return List.copyOf(notifications);
  }

  List<Notification> notifications(Notification.Kind kind) {
    return notifications.stream().filter(n -> n.kind() == kind).toList();
  }

  List<Notification> to(String staffId) {
    return notifications.stream().filter(n -> n.staffId().equals(staffId)).toList();
  }

  Optional<Notification> latest(String staffId, Notification.Kind kind) {
    Notification found = null;
    for (Notification n : notifications) {
      if (n.staffId().equals(staffId) && n.kind() == kind) {
        found = n;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * The messages of these kinds as "+minutes kind Llevel staffId" lines, in the order sent, for
   * asserting who got what when (for example "+15m page L1 aoc").
   */
  List<String> log(Notification.Kind... kinds) {
    List<Notification.Kind> wanted = List.of(kinds);
    return notifications.stream().filter(n -> wanted.isEmpty() || wanted.contains(n.kind()))
        .map(n -> "+" + Duration.between(start, n.createdAt()).toMinutes() + "m " + n.kind().id() + " L" + n.level()
            + " " + n.staffId())
        .toList();
  }

  List<Logged> events() {
    return List.copyOf(events);
  }

  List<Logged> events(String type) {
    return events.stream().filter(e -> e.type().equals(type)).toList();
  }

  List<String> eventTypes() {
    return events.stream().map(Logged::type).toList();
  }

  /** The timers still pending, soonest first. */
  List<Plan.Timer> pendingTimers() {
    return pending.stream()
        .sorted(Comparator.comparing((Pending p) -> p.timer().dueAt()).thenComparingLong(Pending::seq))
        .map(Pending::timer).toList();
  }

  List<Plan.Timer> firedTimers() {
    return List.copyOf(fired);
  }

  List<Plan.Timer> cancels() {
    return List.copyOf(cancels);
  }

  Map<String, RunState.StaffRef> positions() {
    return new LinkedHashMap<>(positions);
  }

  RunState.RollcallStatus rollcall(String stepId) {
    return rollcalls.get(stepId);
  }

  Map<String, RunState.Answer> answers(String stepId) {
    return new LinkedHashMap<>(answers.getOrDefault(stepId, Map.of()));
  }

  List<RunState.TaskState> tasks() {
    return state().tasks();
  }
}
