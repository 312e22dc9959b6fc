package io.muster.notify;

import io.muster.common.Event;
import io.muster.notify.domain.NotifyEvent;
import io.muster.store.Db;
import java.sql.Connection;
import java.sql.SQLException;

/** The state of the SMS path as coordinators see it: degraded from the breaker's sms.degraded to its sms.recovered. */
public final class SmsPath {
  private static final String DEGRADED = Event.typeOf(NotifyEvent.Degraded.class);
  private static final String RECOVERED = Event.typeOf(NotifyEvent.Recovered.class);

  private SmsPath() {
  }

  /** Whether the newest of the breaker's events says degraded. */
  public static boolean degraded(Connection c) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM journal WHERE seq = (SELECT MAX(seq) FROM journal WHERE event_type IN (?, ?))"
        + " AND event_type = ?", DEGRADED, RECOVERED, DEGRADED);
  }
}
