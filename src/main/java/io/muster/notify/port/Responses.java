package io.muster.notify.port;

import io.muster.notify.domain.Notification;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * What an answer or a failed delivery means to whoever sent the message (the playbook run), decided
 * in the transaction that records the answer or the failure.
 */
public interface Responses {
  /** Call before the page's acknowledgement is written: the step's first ack stops its escalation. */
  List<NewEvent> acknowledged(Connection c, Notification page, Instant now, String actor) throws SQLException;

  /** A numbered answer to a rollcall question; empty when the number is not one of its answers. */
  java.util.Optional<List<NewEvent>> answered(Connection c, Notification ask, int choice, Instant now, String actor)
      throws SQLException;

  /** A page could not reach its person (opted out, unknown number). */
  List<NewEvent> unreachable(Connection c, Notification page, Instant now) throws SQLException;
}
