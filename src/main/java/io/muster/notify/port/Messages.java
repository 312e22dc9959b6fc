package io.muster.notify.port;

import io.muster.notify.domain.Notification;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The outbox as other features use it: a message is queued in the caller's transaction (and sent
 * after it commits); its {@code notification.queued} event comes back to be appended with the rest.
 */
public interface Messages {
  NewEvent queue(Connection c, Notification n, String actor) throws SQLException;

  /** An information message about no incident (a reminder, a confirmation) to one person. */
  NewEvent queueInfo(Connection c, String staffId, String staffName, String phone, String text, Instant now,
                     String actor) throws SQLException;

  /** Every message of an incident, oldest first. */
  List<Notification> forIncident(Connection c, String incidentId) throws SQLException;
}
