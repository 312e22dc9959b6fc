package io.muster.notify;

import io.muster.notify.domain.DeliveryStatus;
import io.muster.notify.domain.Notification;
import io.muster.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The notification table (the outbox): every statement about it, in one place. */
public final class NotificationSql {
  static final String COLUMNS = "id, incident_id, staff_id, staff_name, phone, kind, body, requires_ack, status,"
      + " provider_sid, error_code, attempts, created_at, sent_at, status_at, acked_at, first_claimed_at, step_id,"
      + " esc_level";
  /** How many columns {@link #COLUMNS} names; {@link #read} reads them from the first on. */
  static final int COLUMN_COUNT = 19;

  private NotificationSql() {
  }

  public static void insert(Connection c, Notification n) throws SQLException {
    insert(c, n, n.createdAt(), null);
  }

  /** A row for the outbox, due at {@code dueAt}; {@code retryOf}: the undelivered message it repeats. */
  public static void insert(Connection c, Notification n, Instant dueAt, String retryOf) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO notification (" + COLUMNS
        + ", next_attempt_at, priority, retry_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, n.id());
      ps.setString(2, n.incidentId());
      ps.setString(3, n.staffId());
      ps.setString(4, n.staffName());
      ps.setString(5, n.phone());
      ps.setString(6, n.kind().id());
      ps.setString(7, n.body());
      ps.setBoolean(8, n.requiresAck());
      ps.setString(9, n.status().id());
      ps.setString(10, n.providerSid());
      ps.setObject(11, n.errorCode(), Types.INTEGER);
      ps.setInt(12, n.attempts());
      ps.setObject(13, Db.ts(n.createdAt()));
      ps.setObject(14, Db.ts(n.sentAt()));
      ps.setObject(15, Db.ts(n.statusAt()));
      ps.setObject(16, Db.ts(n.ackedAt()));
      ps.setObject(17, Db.ts(n.firstClaimedAt()));
      ps.setString(18, n.stepId());
      ps.setInt(19, n.level());
      ps.setObject(20, Db.ts(dueAt));
      ps.setInt(21, n.kind().priority());
      ps.setString(22, retryOf);
      ps.executeUpdate();
    }
  }

  /** Queues an information SMS about no incident (help text, a confirmation, a reminder). */
  public static io.muster.store.NewEvent queueInfo(Connection c, String staffId, String staffName, String phone,
                                                   String text, Instant now, String actor) throws SQLException {
    Notification n = new Notification(java.util.UUID.randomUUID().toString(), null, staffId, staffName, phone,
        Notification.Kind.INFO, text, false, DeliveryStatus.QUEUED, null, null, 0, now, null, null, null, null, null, 0);
    insert(c, n);
    return queued(n, actor);
  }

  /** The event that says a message is in the outbox. */
  public static io.muster.store.NewEvent queued(Notification n, String actor) {
    return new io.muster.store.NewEvent(new io.muster.notify.domain.NotifyEvent.Queued(n.id(), n.staffId(),
        n.staffName(), n.kind().id(), n.requiresAck(), n.stepId(), n.level(), DeliveryStatus.QUEUED.id()),
        n.incidentId(), actor);
  }

  public static List<Notification> forIncident(Connection c, String incidentId) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM notification WHERE incident_id = ? ORDER BY created_at, id", incidentId);
  }

  public static Optional<Notification> byId(Connection c, String id) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM notification WHERE id = ?", id).stream().findFirst();
  }

  public static Optional<Notification> byProviderSid(Connection c, String sid) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM notification WHERE provider_sid = ?", sid).stream().findFirst();
  }

  /** Whether a row other than {@code id} has recorded the provider SID {@code sid}. */
  public static boolean sidRecordedByOther(Connection c, String sid, String id) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM notification WHERE provider_sid = ? AND id <> ?", sid, id);
  }

  /**
   * The newest message to this phone that a reply can answer, on an active incident: a page still
   * waiting for its acknowledgement, or a rollcall question (answers may change while it runs).
   */
  public static Optional<Notification> openRequest(Connection c, String phone, String ref) throws SQLException {
    return query(c, "SELECT " + prefixed("n") + " FROM notification n JOIN incident i ON i.id = n.incident_id"
        + " WHERE n.phone = ? AND i.status = 'active' AND ((n.kind = 'page' AND n.requires_ack = TRUE"
        + " AND n.acked_at IS NULL) OR n.kind = 'rollcall') AND (CAST(? AS VARCHAR(12)) IS NULL OR i.ref = ?)"
        + " ORDER BY n.created_at DESC, n.id DESC", phone, ref, ref).stream().findFirst();
  }

  /** The newest rollcall question to this phone since {@code since}, whatever became of its incident. */
  public static Optional<Notification> latestRollcall(Connection c, String phone, Instant since) throws SQLException {
    return query(c, "SELECT " + COLUMNS + " FROM notification WHERE phone = ? AND kind = 'rollcall'"
        + " AND created_at > ? ORDER BY created_at DESC, id DESC", phone, Db.ts(since)).stream().findFirst();
  }

  /** The newest page to this phone that still waits for an answer, on an active incident. */
  public static Optional<Notification> openPage(Connection c, String phone, String ref) throws SQLException {
    return query(c, "SELECT " + prefixed("n") + " FROM notification n JOIN incident i ON i.id = n.incident_id"
        + " WHERE n.phone = ? AND n.kind = 'page' AND n.requires_ack = TRUE AND n.acked_at IS NULL"
        + " AND i.status = 'active' AND (CAST(? AS VARCHAR(12)) IS NULL OR i.ref = ?) ORDER BY n.created_at DESC, n.id DESC",
        phone, ref, ref).stream().findFirst();
  }

  /** Records the acknowledgement unless someone (a duplicate webhook) got there first. */
  public static boolean acknowledge(Connection c, String id, Instant at, String messageSid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE notification SET acked_at = ?, ack_message_sid = ? WHERE id = ? AND acked_at IS NULL")) {
      ps.setObject(1, Db.ts(at));
      ps.setString(2, messageSid);
      ps.setString(3, id);
      return ps.executeUpdate() == 1;
    }
  }

  /** Moves the status forward only, from the status it was read with (compare-and-set). */
  public static boolean moveStatus(Connection c, Notification n, DeliveryStatus next, Integer errorCode, Instant at)
      throws SQLException {
    return moveStatus(c, n, next, errorCode, at, null);
  }

  /**
   * The same, also recording the provider's SID when the row has none yet (a status callback can
   * arrive before the send's own answer, or instead of it when that answer was lost).
   */
  public static boolean moveStatus(Connection c, Notification n, DeliveryStatus next, Integer errorCode, Instant at,
                                   String providerSid) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE notification SET status = ?, error_code = COALESCE(?, error_code),"
        + " status_at = ?, provider_sid = COALESCE(provider_sid, ?) WHERE id = ? AND status = ?")) {
      ps.setString(1, next.id());
      ps.setObject(2, errorCode, Types.INTEGER);
      ps.setObject(3, Db.ts(at));
      ps.setString(4, providerSid);
      ps.setString(5, n.id());
      ps.setString(6, n.status().id());
      return ps.executeUpdate() == 1;
    }
  }

  static List<Notification> query(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<Notification> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(read(rs));
        }
      }
      return rows;
    }
  }

  private static String prefixed(String alias) {
    return alias + "." + COLUMNS.replace(", ", ", " + alias + ".");
  }

  static Notification read(ResultSet rs) throws SQLException {
    return new Notification(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
        Notification.Kind.of(rs.getString(6)), rs.getString(7), rs.getBoolean(8), DeliveryStatus.of(rs.getString(9)),
        rs.getString(10), (Integer) rs.getObject(11, Integer.class), rs.getInt(12), Db.instant(rs.getObject(13)),
        Db.instant(rs.getObject(14)), Db.instant(rs.getObject(15)), Db.instant(rs.getObject(16)),
        Db.instant(rs.getObject(17)), rs.getString(18), rs.getInt(19));
  }
}
