package io.muster.notify;

import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.notify.domain.FailurePolicy;
import io.muster.notify.domain.NotifyEvent;
import io.muster.notify.port.Responses;
import io.muster.store.Db;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Carries out the {@link FailurePolicy} for a message that failed for good: marks the number,
 * escalates the page through whoever sent it, schedules the one retry, flags a filtered message.
 * Also the phone states that coordinators see, and Muster's own opt-out list (STOP / START).
 */
public final class DeliveryFailures {
  public static final int OPTED_OUT = FailurePolicy.OPTED_OUT;

  private final Responses responses;
  private final Duration retryDelay;

  public DeliveryFailures(Responses responses, Duration retryDelay) {
    this.responses = responses;
    this.retryDelay = retryDelay;
  }

  /** The events (and outbox rows) a final failure with this code calls for. */
  public List<NewEvent> route(Connection c, Notification n, Integer code, Instant now) throws SQLException {
    FailurePolicy.Action action = FailurePolicy.of(code);
    List<NewEvent> events = new ArrayList<>();
    if (action instanceof FailurePolicy.MarkAndEscalate mark) {
      events.addAll(markAndEscalate(c, n, mark.phoneState(), code, now));
    } else if (action instanceof FailurePolicy.RetryOnce) {
      retryOnce(c, n, now).ifPresent(events::add);
    } else if (action instanceof FailurePolicy.Flag flag) {
      setPhone(c, n.phone(), "filtered", code, now);
      events.add(new NewEvent(new NotifyEvent.Flagged(n.id(), n.staffId(), n.staffName(), code, flag.note()),
          n.incidentId(), "sms-provider"));
    }
    return events;
  }

  /** The person's number is opted out on Muster's own list (STOP), or not. */
  public static void setPhone(Connection c, String phone, String status, Integer code, Instant now) throws SQLException {
    try (PreparedStatement del = c.prepareStatement("DELETE FROM phone_status WHERE phone = ?")) {
      del.setString(1, phone);
      del.executeUpdate();
    }
    if (status == null) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(
        "INSERT INTO phone_status (phone, status, error_code, updated_at) VALUES (?, ?, ?, ?)")) {
      ps.setString(1, phone);
      ps.setString(2, status);
      ps.setObject(3, code, java.sql.Types.INTEGER);
      ps.setObject(4, Db.ts(now));
      ps.executeUpdate();
    }
  }

  public static Optional<String> phoneStatus(Connection c, String phone) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT status FROM phone_status WHERE phone = ?")) {
      ps.setString(1, phone);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Every marked number with its state, for the roster view. */
  public static Map<String, String> phoneStatuses(Connection c) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT phone, status FROM phone_status");
         ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  private List<NewEvent> markAndEscalate(Connection c, Notification n, String status, int code, Instant now)
      throws SQLException {
    setPhone(c, n.phone(), status, code, now);
    List<NewEvent> events = new ArrayList<>();
    NotifyEvent marked = "opted-out".equals(status)
        ? new NotifyEvent.OptedOut(n.id(), n.staffId(), n.staffName(), code)
        : new NotifyEvent.Unreachable(n.id(), n.staffId(), n.staffName(), code);
    events.add(new NewEvent(marked, n.incidentId(), "sms-provider"));
    if (n.incidentId() != null && n.kind() == Notification.Kind.PAGE && n.stepId() != null) {
      events.addAll(responses.unreachable(c, n, now));
    }
    return events;
  }

  /** One more try, later, of a message the handset could not take; a retry is not retried. */
  private Optional<NewEvent> retryOnce(Connection c, Notification n, Instant now) throws SQLException {
    if (!Db.exists(c, "SELECT 1 FROM notification WHERE id = ? AND retry_of IS NULL", n.id())) {
      return Optional.empty();
    }
    Notification retry = new Notification(UUID.randomUUID().toString(), n.incidentId(), n.staffId(), n.staffName(),
        n.phone(), n.kind(), n.body(), n.requiresAck(), DeliveryStatus.QUEUED, null, null, 0, now, null, null, null,
        null, n.stepId(), n.level());
    NotificationSql.insert(c, retry, now.plus(retryDelay), n.id());
    return Optional.of(new NewEvent(new NotifyEvent.RetryScheduled(n.id(), n.staffId(), n.staffName(),
        FailurePolicy.HANDSET_UNREACHABLE, retry.id(), now.plus(retryDelay).toString()), n.incidentId(), "sms-provider"));
  }

}
