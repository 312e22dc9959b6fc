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

  private static final String SENT = Event.typeOf(NotifyEvent.Sent.class);

  /**
   * Whether the provider accepted a message after the newest {@code sms.degraded}, whichever node
   * sent it: the provider is shared, so that is evidence it answers again for a breaker that has
   * nothing of its own to probe with.
   */
  public static boolean acceptedSinceDegraded(Connection c) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM journal WHERE seq = (SELECT MAX(seq) FROM journal WHERE event_type = ?)"
        + " AND seq > COALESCE((SELECT MAX(seq) FROM journal WHERE event_type = ?), 0)", SENT, DEGRADED);
  }

  /** Whether the newest of the breaker's events says degraded. */
  public static boolean degraded(Connection c) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM journal WHERE seq = (SELECT MAX(seq) FROM journal WHERE event_type IN (?, ?))"
        + " AND event_type = ?", DEGRADED, RECOVERED, DEGRADED);
  }
}
