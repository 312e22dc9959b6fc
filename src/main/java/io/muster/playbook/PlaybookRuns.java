package io.muster.playbook;

import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import io.muster.incident.domain.Incident;
import io.muster.incident.port.Records;
import io.muster.incident.port.Response;
import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.notify.port.Messages;
import io.muster.notify.port.Responses;
import io.muster.playbook.domain.Plan;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.PlaybookEngine;
import io.muster.playbook.domain.PlaybookEvent;

import io.muster.playbook.domain.RollcallStep;
import io.muster.readiness.port.Steps;
import io.muster.playbook.domain.RunState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.Roster;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs playbooks against the database: reads a run's state, asks the {@link PlaybookEngine} what
 * to do, and writes its plan (messages into the outbox, timers, tasks, answers) in the caller's
 * transaction, returning the events to append to the journal with it. Every decision is thereby
 * committed together with what caused it, or not at all. It is how incidents are responded to
 * ({@link Response}) and what answers to its messages mean ({@link Responses}).
 */
public final class PlaybookRuns implements Response, Responses {
  private final Roster roster;
  private final Map<String, Playbook> playbooks;
  private final Records incidents;
  private final Messages messages;
  private final Steps readiness;

  /**
   * {@code incidents}: the incidents runs belong to; {@code messages}: the outbox; {@code readiness}:
   * where readiness steps are applied and rollcall answers re-check the staffing thresholds (each in
   * the same transaction as the step or the answer).
   */
  public PlaybookRuns(Roster roster, Map<String, Playbook> playbooks, Records incidents, Messages messages,
                      Steps readiness) {
    this.roster = roster;
    this.playbooks = playbooks;
    this.incidents = incidents;
    this.messages = messages;
    this.readiness = readiness;
  }

  @Override
  public List<NewEvent> started(Connection c, Incident incident, Instant now, String actor) throws SQLException {
    return apply(c, incident, engine(incident).start(now), now, actor);
  }

  @Override
  public List<NewEvent> acknowledged(Connection c, Notification page, Instant now, String actor) throws SQLException {
    Incident incident = incident(c, page.incidentId());
    return apply(c, incident, engine(incident).acknowledged(state(c, incident.id()), page, now), now, actor);
  }

  @Override
  public Optional<List<NewEvent>> answered(Connection c, Notification ask, int choice, Instant now, String actor)
      throws SQLException {
    Incident incident = incident(c, ask.incidentId());
    Playbook playbook = playbook(incident);
    var step = playbook.step(ask.stepId());
    if (step.isEmpty() || !(step.get() instanceof RollcallStep r) || !r.answers().containsKey(choice)) {
      return Optional.empty();
    }
    return Optional.of(apply(c, incident, engine(incident).answered(state(c, incident.id()), ask, choice, now), now,
        actor));
  }

  @Override
  public List<NewEvent> taskCompleted(Connection c, Incident incident, String taskId, Instant now, String actor)
      throws SQLException {
    RunState state = state(c, incident.id());
    if (state.task(taskId).isEmpty()) {
      throw new Rejection(ErrorCode.NOT_FOUND, "taskId", "incident " + incident.id() + " has no task '" + taskId + "'");
    }
    return apply(c, incident, engine(incident).taskCompleted(state, taskId, actor), now, actor);
  }

  @Override
  public List<NewEvent> resolved(Connection c, Incident incident, Instant now, String actor) throws SQLException {
    return apply(c, incident, engine(incident).standDown(state(c, incident.id())), now, actor);
  }

  /**
   * A page could not reach its person (opted out, unknown number): when nobody at its escalation
   * level can be reached any more, the step escalates now instead of waiting for its timer.
   */
  @Override
  public List<NewEvent> unreachable(Connection c, Notification page, Instant now) throws SQLException {
    RunState state = state(c, page.incidentId());
    if (state.stepAcknowledged(page.stepId())) {
      return List.of();
    }
    boolean nobodyLeft = state.notifications().stream()
        .filter(n -> page.stepId().equals(n.stepId()) && n.level() == page.level() && n.kind() == Notification.Kind.PAGE)
        .allMatch(n -> n.status() == DeliveryStatus.FAILED || n.status() == DeliveryStatus.UNDELIVERED);
    if (!nobodyLeft || RunSql.escalateNow(c, page.incidentId(), page.stepId(), now) == 0) {
      return List.of();
    }
    return List.of(new NewEvent(new PlaybookEvent.PageUnreachable(page.stepId(), page.level()), page.incidentId(),
        "sms-provider"));
  }

  /** A timer that this node has leased and marked fired in this transaction. */
  List<NewEvent> fired(Connection c, RunSql.TimerRow row, Instant now) throws SQLException {
    Incident incident = incident(c, row.incidentId());
    if (!incident.active()) {
      return List.of();
    }
    Plan plan = engine(incident).fired(state(c, incident.id()), row.timer(), now);
    return apply(c, incident, plan, now, "playbook:" + incident.type());
  }

  /**
   * The run as the incident view shows it: positions and who fills them, each rollcall's tally
   * against its need, tasks with owners and due times, and the timers still pending.
   */
  @Override
  public JsonObject view(Connection c, Incident incident, List<JournalEvent> timeline, Instant now)
      throws SQLException {
    RunState state = state(c, incident.id());
    Playbook playbook = playbooks.get(incident.type());
    JsonArray positions = new JsonArray();
    state.positions().forEach((position, s) -> positions.add(new JsonObject().put("position", position)
        .put("staffId", s.id()).put("staffName", s.name())));
    JsonArray rollcalls = new JsonArray();
    state.rollcalls().forEach((stepId, status) -> {
      JsonArray answers = new JsonArray();
      state.answers().getOrDefault(stepId, Map.of()).values().forEach(a -> answers.add(new JsonObject()
          .put("staffId", a.staffId()).put("staffName", a.staffName()).put("choice", a.choice()).put("yes", a.yes())
          .put("counted", a.counted())));
      int need = playbook == null ? 0 : playbook.step(stepId).map(s -> ((RollcallStep) s).need()).orElse(0);
      rollcalls.add(new JsonObject().put("stepId", stepId).put("status", status.id()).put("tally", state.tally(stepId))
          .put("need", need).put("answers", answers));
    });
    JsonArray tasks = new JsonArray();
    for (RunState.TaskState t : state.tasks()) {
      var def = playbook == null ? null : playbook.task(t.taskId()).orElse(null);
      tasks.add(new JsonObject().put("taskId", t.taskId()).put("phase", def == null ? null : def.phase().id())
          .put("do", def == null ? null : def.text().render(io.muster.playbook.domain.Messages.values(incident, playbook, facilityName(incident))))
          .put("owner", t.owner()).put("staffId", t.ownerStaff() == null ? null : t.ownerStaff().id())
          .put("staffName", t.ownerStaff() == null ? null : t.ownerStaff().name()).put("status", t.status().id())
          .put("dueAt", t.dueAt().toString())
          .put("overdue", t.status() == RunState.TaskStatus.OPEN && t.dueAt().isBefore(now)));
    }
    JsonArray timers = new JsonArray();
    RunSql.pending(c, incident.id()).forEach(t -> timers.add(new JsonObject().put("kind", t.kind().id())
        .put("target", t.target()).put("level", t.level()).put("attempt", t.attempt()).put("dueAt", t.dueAt().toString())));
    return new JsonObject().put("playbook", incident.type()).put("positions", positions).put("rollcalls", rollcalls)
        .put("tasks", tasks).put("pendingTimers", timers).put("steps", RunViews.steps(timeline));
  }

  private List<NewEvent> apply(Connection c, Incident incident, Plan plan, Instant now, String actor)
      throws SQLException {
    String id = incident.id();
    for (Map.Entry<String, RunState.StaffRef> p : plan.positions.entrySet()) {
      RunSql.position(c, id, p.getKey(), p.getValue());
    }
    for (Map.Entry<String, RunState.RollcallStatus> r : plan.rollcalls.entrySet()) {
      RunSql.rollcall(c, id, r.getKey(), r.getValue());
    }
    for (Plan.RollcallAnswer a : plan.answers) {
      RunSql.answer(c, id, a, now);
    }
    for (Plan.NewTask t : plan.tasks) {
      RunSql.task(c, id, t);
    }
    for (String taskId : plan.tasksDone) {
      RunSql.taskDone(c, id, taskId, now, actor);
    }
    int cancelled = 0;
    for (Plan.Timer which : plan.cancels) {
      cancelled += RunSql.cancel(c, id, which);
    }
    for (Plan.Timer t : plan.timers) {
      RunSql.timer(c, id, t);
    }
    List<NewEvent> events = new ArrayList<>();
    for (PlaybookEvent e : plan.events) {
      events.add(new NewEvent(e, id, actor));
      if (e instanceof PlaybookEvent.ReadinessChangeRequested step) {
        events.addAll(readiness.apply(c, incident.facilityId(), step.changes(), "playbook:" + incident.type(), now));
      }
    }
    if (!plan.answers.isEmpty()) {
      // An answer changes who is coming in, and so the staffed beds that thresholds watch.
      events.addAll(readiness.staffingChanged(c, incident.facilityId(),
          plan.answers.stream().map(a -> a.answer().staffId()).toList(), now, actor));
    }
    if (cancelled > 0) {
      events.add(new NewEvent(new PlaybookEvent.TimersCancelled(cancelled), id, actor));
    }
    for (Plan.Send s : plan.sends) {
      events.add(queue(c, incident, s, now, actor));
    }
    return events;
  }

  private NewEvent queue(Connection c, Incident incident, Plan.Send s, Instant now, String actor) throws SQLException {
    Notification n = new Notification(UUID.randomUUID().toString(), incident.id(), s.to().id(), s.to().name(),
        s.to().phone(), s.kind(), s.body(), s.requiresAck(), DeliveryStatus.QUEUED, null, null, 0, now, null, null,
        null, null, s.stepId(), s.level());
    return messages.queue(c, n, actor);
  }

  private PlaybookEngine engine(Incident incident) {
    Facility facility = roster.facility(incident.facilityId()).orElseThrow(() -> new IllegalStateException(
        "incident " + incident.id() + " is at facility '" + incident.facilityId() + "', which the roster no longer has"));
    return new PlaybookEngine(playbook(incident), roster, incident, facility);
  }

  private Playbook playbook(Incident incident) {
    Playbook playbook = playbooks.get(incident.type());
    if (playbook == null) {
      throw new IllegalStateException("incident " + incident.id() + " is of type '" + incident.type()
          + "', for which no playbook is loaded");
    }
    return playbook;
  }

  private String facilityName(Incident incident) {
    return roster.facility(incident.facilityId()).map(Facility::name).orElse(incident.facilityId());
  }

  private Incident incident(Connection c, String incidentId) throws SQLException {
    return incidents.byId(c, incidentId).orElseThrow(() -> new IllegalStateException("no incident " + incidentId));
  }

  private RunState state(Connection c, String incidentId) throws SQLException {
    return RunSql.state(c, incidentId, messages.forIncident(c, incidentId));
  }
}
