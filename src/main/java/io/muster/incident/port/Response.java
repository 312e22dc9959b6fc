package io.muster.incident.port;

import io.muster.incident.domain.Incident;
import io.muster.store.JournalEvent;
import io.muster.store.NewEvent;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * How an incident is responded to: the playbook run of its type. The incident feature calls it in
 * the transaction that starts, resolves or changes the incident, so every decision is committed
 * with what caused it; the events it returns are appended with the incident's own.
 */
public interface Response {
  List<NewEvent> started(Connection c, Incident incident, Instant now, String actor) throws SQLException;

  List<NewEvent> resolved(Connection c, Incident incident, Instant now, String actor) throws SQLException;

  /** A checklist task done; refuses a task the run does not have. */
  List<NewEvent> taskCompleted(Connection c, Incident incident, String taskId, Instant now, String actor)
      throws SQLException;

  /** The run as the incident view shows it (positions, rollcalls, tasks, steps), from its state and the timeline. */
  JsonObject view(Connection c, Incident incident, List<JournalEvent> timeline, Instant now) throws SQLException;
}
