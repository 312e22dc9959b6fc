package io.muster.playbook;

import io.muster.playbook.domain.Plan;
import io.muster.playbook.domain.RunState;
import io.muster.playbook.domain.TimerKind;
import io.muster.store.Db;
import io.muster.notify.domain.Notification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The tables of playbook runs (positions, rollcalls, answers, tasks, timers): every statement. */
final class RunSql {
  private RunSql() {
  }

  /** A pending timer as stored. */
  record TimerRow(String id, String incidentId, Plan.Timer timer) { }

  /** A counted "yes" with an ETA: who, at which incident, arriving when. */
  record Coming(String incidentId, String staffId, Instant arrivesAt) { }

  /** The counted "yes" answers with an ETA at these incidents. */
  static List<Coming> arrivals(Connection c, List<String> incidentIds) throws SQLException {
    List<Coming> out = new ArrayList<>();
    for (String incidentId : incidentIds) {
      try (PreparedStatement ps = c.prepareStatement("SELECT staff_id, answered_at, eta_minutes FROM rollcall_answer"
          + " WHERE incident_id = ? AND yes = TRUE AND counted = TRUE AND eta_minutes IS NOT NULL")) {
        ps.setString(1, incidentId);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.add(new Coming(incidentId, rs.getString(1), Db.instant(rs.getObject(2)).plusSeconds(60L * rs.getInt(3))));
          }
        }
      }
    }
    return out;
  }

  /** The run's state, with every message sent for its incident ({@code notifications}, from the outbox). */
  static RunState state(Connection c, String incidentId, List<Notification> notifications) throws SQLException {
    return new RunState(positions(c, incidentId), notifications, answers(c, incidentId),
        rollcalls(c, incidentId), tasks(c, incidentId));
  }

  private static Map<String, RunState.StaffRef> positions(Connection c, String incidentId) throws SQLException {
    Map<String, RunState.StaffRef> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT position, staff_id, staff_name, phone FROM incident_position WHERE incident_id = ?")) {
      ps.setString(1, incidentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), new RunState.StaffRef(rs.getString(2), rs.getString(3), rs.getString(4)));
        }
      }
    }
    return out;
  }

  private static Map<String, Map<String, RunState.Answer>> answers(Connection c, String incidentId) throws SQLException {
    Map<String, Map<String, RunState.Answer>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT step_id, staff_id, staff_name, choice, yes, counted"
        + " FROM rollcall_answer WHERE incident_id = ?")) {
      ps.setString(1, incidentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2),
              new RunState.Answer(rs.getString(2), rs.getString(3), rs.getInt(4), rs.getBoolean(5), rs.getBoolean(6)));
        }
      }
    }
    return out;
  }

  private static Map<String, RunState.RollcallStatus> rollcalls(Connection c, String incidentId) throws SQLException {
    Map<String, RunState.RollcallStatus> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT step_id, status FROM rollcall WHERE incident_id = ?")) {
      ps.setString(1, incidentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), RunState.RollcallStatus.valueOf(rs.getString(2).toUpperCase()));
        }
      }
    }
    return out;
  }

  static List<RunState.TaskState> tasks(Connection c, String incidentId) throws SQLException {
    List<RunState.TaskState> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT task_id, owner, staff_id, staff_name, phone, status, due_at"
        + " FROM incident_task WHERE incident_id = ? ORDER BY due_at, task_id")) {
      ps.setString(1, incidentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          RunState.StaffRef owner = rs.getString(3) == null ? null
              : new RunState.StaffRef(rs.getString(3), rs.getString(4), rs.getString(5));
          out.add(new RunState.TaskState(rs.getString(1), rs.getString(2), owner,
              RunState.TaskStatus.valueOf(rs.getString(6).toUpperCase()), Db.instant(rs.getObject(7))));
        }
      }
    }
    return out;
  }

  static void position(Connection c, String incidentId, String position, RunState.StaffRef s) throws SQLException {
    update(c, "INSERT INTO incident_position (incident_id, position, staff_id, staff_name, phone) VALUES (?, ?, ?, ?, ?)",
        incidentId, position, s.id(), s.name(), s.phone());
  }

  static void rollcall(Connection c, String incidentId, String stepId, RunState.RollcallStatus status) throws SQLException {
    if (update(c, "UPDATE rollcall SET status = ? WHERE incident_id = ? AND step_id = ?",
        status.id(), incidentId, stepId) == 0) {
      update(c, "INSERT INTO rollcall (incident_id, step_id, status) VALUES (?, ?, ?)", incidentId, stepId, status.id());
    }
  }

  static void answer(Connection c, String incidentId, Plan.RollcallAnswer a, Instant now) throws SQLException {
    update(c, "DELETE FROM rollcall_answer WHERE incident_id = ? AND step_id = ? AND staff_id = ?",
        incidentId, a.stepId(), a.answer().staffId());
    update(c, "INSERT INTO rollcall_answer (incident_id, step_id, staff_id, staff_name, choice, yes, counted,"
            + " eta_minutes, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", incidentId, a.stepId(),
        a.answer().staffId(), a.answer().staffName(), a.answer().choice(), a.answer().yes(), a.answer().counted(),
        a.eta() == null ? null : (int) a.eta().toMinutes(), Db.ts(now));
  }

  static void task(Connection c, String incidentId, Plan.NewTask t) throws SQLException {
    RunState.StaffRef o = t.owner();
    update(c, "INSERT INTO incident_task (incident_id, task_id, phase, owner, staff_id, staff_name, phone, text,"
            + " due_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')", incidentId, t.def().id(),
        t.def().phase().id(), t.def().owner(), o == null ? null : o.id(), o == null ? null : o.name(),
        o == null ? null : o.phone(), t.text(), Db.ts(t.dueAt()));
  }

  static void taskDone(Connection c, String incidentId, String taskId, Instant now, String actor) throws SQLException {
    update(c, "UPDATE incident_task SET status = 'done', completed_at = ?, completed_by = ?"
        + " WHERE incident_id = ? AND task_id = ? AND status = 'open'", Db.ts(now), actor, incidentId, taskId);
  }

  static void timer(Connection c, String incidentId, Plan.Timer t) throws SQLException {
    update(c, "INSERT INTO playbook_timer (id, incident_id, kind, target, esc_level, attempt, due_at, status)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')", UUID.randomUUID().toString(), incidentId, t.kind().id(),
        t.target(), t.level(), t.attempt(), Db.ts(t.dueAt()));
  }

  /** Cancels pending timers of a kind and target, or every pending timer when the kind is null. */
  static int cancel(Connection c, String incidentId, Plan.Timer which) throws SQLException {
    if (which.kind() == null) {
      return update(c, "UPDATE playbook_timer SET status = 'cancelled' WHERE incident_id = ? AND status = 'pending'",
          incidentId);
    }
    return update(c, "UPDATE playbook_timer SET status = 'cancelled' WHERE incident_id = ? AND status = 'pending'"
        + " AND kind = ? AND target = ?", incidentId, which.kind().id(), which.target());
  }

  /** Brings a step's pending escalation forward to now. */
  static int escalateNow(Connection c, String incidentId, String stepId, Instant now) throws SQLException {
    return update(c, "UPDATE playbook_timer SET due_at = ? WHERE incident_id = ? AND kind = 'escalate' AND target = ?"
        + " AND status = 'pending' AND due_at > ?", Db.ts(now), incidentId, stepId, Db.ts(now));
  }

  /** Due timers not leased by a live node; on PostgreSQL rows another node is claiming are skipped. */
  static List<String> due(Connection c, Instant now, int limit, boolean postgres) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM playbook_timer WHERE status = 'pending'"
        + " AND due_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY due_at, id LIMIT ?"
        + (postgres ? " FOR UPDATE SKIP LOCKED" : ""))) {
      ps.setObject(1, Db.ts(now));
      ps.setObject(2, Db.ts(now));
      ps.setInt(3, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
    }
    return ids;
  }

  /** Compare-and-set: the lease is ours only if the timer is still pending and free. */
  static boolean lease(Connection c, String id, String node, Instant now, Instant until) throws SQLException {
    return update(c, "UPDATE playbook_timer SET lease_owner = ?, lease_until = ? WHERE id = ? AND status = 'pending'"
        + " AND (lease_until IS NULL OR lease_until < ?)", node, Db.ts(until), id, Db.ts(now)) == 1;
  }

  /** Marks the timer fired if it is still pending and still leased by this node. */
  static boolean fire(Connection c, String id, String node, Instant now) throws SQLException {
    return update(c, "UPDATE playbook_timer SET status = 'fired', fired_at = ?, fired_by = ? WHERE id = ?"
        + " AND status = 'pending' AND lease_owner = ?", Db.ts(now), node, id, node) == 1;
  }

  static TimerRow timerRow(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT incident_id, kind, target, esc_level, attempt, due_at FROM playbook_timer WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new TimerRow(id, rs.getString(1), new Plan.Timer(TimerKind.of(rs.getString(2)), rs.getString(3),
            rs.getInt(4), rs.getInt(5), Db.instant(rs.getObject(6))));
      }
    }
  }

  /** The pending timers of an incident, soonest first (for the incident view). */
  static List<Plan.Timer> pending(Connection c, String incidentId) throws SQLException {
    List<Plan.Timer> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT kind, target, esc_level, attempt, due_at FROM playbook_timer"
        + " WHERE incident_id = ? AND status = 'pending' ORDER BY due_at")) {
      ps.setString(1, incidentId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Plan.Timer(TimerKind.of(rs.getString(1)), rs.getString(2), rs.getInt(3), rs.getInt(4),
              Db.instant(rs.getObject(5))));
        }
      }
    }
    return out;
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    return Db.update(c, sql, args);
  }
}
