package io.muster.notify;

import io.muster.notify.domain.Notification;
import io.muster.notify.port.Messages;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** The outbox as other features use it (see {@link Messages}). */
public final class MessageStore implements Messages {
  @Override
  public NewEvent queue(Connection c, Notification n, String actor) throws SQLException {
    NotificationSql.insert(c, n);
    return NotificationSql.queued(n, actor);
  }

  @Override
  public NewEvent queueInfo(Connection c, String staffId, String staffName, String phone, String text, Instant now,
                            String actor) throws SQLException {
    return NotificationSql.queueInfo(c, staffId, staffName, phone, text, now, actor);
  }

  @Override
  public List<Notification> forIncident(Connection c, String incidentId) throws SQLException {
    return NotificationSql.forIncident(c, incidentId);
  }
}
