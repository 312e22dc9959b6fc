package io.muster.incident;

import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import io.muster.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The incident table: every statement about it, in one place. */
public final class IncidentSql {
  private static final String COLUMNS = "id, ref, incident_type, facility_id, summary, severity, drill, status,"
      + " triggered_at, triggered_by, resolved_at, resolved_by";

  private IncidentSql() {
  }

  static void insert(Connection c, Incident i, String idempotencyKey, String requestHash) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO incident (" + COLUMNS
        + ", idempotency_key, request_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      ps.setString(1, i.id());
      ps.setString(2, i.ref());
      ps.setString(3, i.type());
      ps.setString(4, i.facilityId());
      ps.setString(5, i.summary());
      ps.setString(6, i.severity().id());
      ps.setBoolean(7, i.drill());
      ps.setString(8, i.status().id());
      ps.setObject(9, Db.ts(i.triggeredAt()));
      ps.setString(10, i.triggeredBy());
      ps.setObject(11, Db.ts(i.resolvedAt()));
      ps.setString(12, i.resolvedBy());
      ps.setString(13, idempotencyKey);
      ps.setString(14, requestHash);
      ps.executeUpdate();
    }
  }

  static void markResolved(Connection c, Incident i) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "UPDATE incident SET status = ?, resolved_at = ?, resolved_by = ? WHERE id = ?")) {
      ps.setString(1, i.status().id());
      ps.setObject(2, Db.ts(i.resolvedAt()));
      ps.setString(3, i.resolvedBy());
      ps.setString(4, i.id());
      ps.executeUpdate();
    }
  }

  public static Optional<Incident> byId(Connection c, String id, boolean forUpdate) throws SQLException {
    String sql = "SELECT " + COLUMNS + " FROM incident WHERE id = ?" + (forUpdate ? " FOR UPDATE" : "");
    return query(c, sql, id).stream().findFirst();
  }

  /** The incident created under this idempotency key, and the hash of the request that made it. */
  static Optional<Keyed> byIdempotencyKey(Connection c, String key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT id, request_hash FROM incident WHERE idempotency_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Keyed(rs.getString(1), rs.getString(2))) : Optional.empty();
      }
    }
  }

  record Keyed(String incidentId, String requestHash) { }

  static List<Incident> list(Connection c, IncidentStatus status, int limit) throws SQLException {
    String where = status == null ? "" : " WHERE status = ?";
    Object[] args = status == null ? new Object[] {limit} : new Object[] {status.id(), limit};
    return query(c, "SELECT " + COLUMNS + " FROM incident" + where + " ORDER BY triggered_at DESC, id LIMIT ?", args);
  }

  /** The active incidents, at one facility or (null) everywhere. */
  static List<Incident> active(Connection c, String facilityId) throws SQLException {
    return facilityId == null
        ? query(c, "SELECT " + COLUMNS + " FROM incident WHERE status = 'active' ORDER BY triggered_at, id")
        : query(c, "SELECT " + COLUMNS + " FROM incident WHERE status = 'active' AND facility_id = ?"
            + " ORDER BY triggered_at, id", facilityId);
  }

  private static List<Incident> query(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      List<Incident> rows = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Incident(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
              Severity.valueOf(rs.getString(6).toUpperCase(java.util.Locale.ROOT)), rs.getBoolean(7),
              IncidentStatus.of(rs.getString(8)), Db.instant(rs.getObject(9)), rs.getString(10),
              Db.instant(rs.getObject(11)), rs.getString(12)));
        }
      }
      return rows;
    }
  }
}
