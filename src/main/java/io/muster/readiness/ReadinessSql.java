package io.muster.readiness;

import io.muster.readiness.domain.Board;
import io.muster.store.Db;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The readiness tables: facilities' rows and locks, values, thresholds that hold, reminders sent. */
final class ReadinessSql {
  private ReadinessSql() {
  }

  static boolean claimReminder(Connection c, String facilityId, String field, Instant setAt, Instant now)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO readiness_reminder (facility_id, field, set_at,"
        + " reminded_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM readiness_reminder"
        + " WHERE facility_id = ? AND field = ? AND set_at = ?)")) {
      ps.setString(1, facilityId);
      ps.setString(2, field);
      ps.setObject(3, Db.ts(setAt));
      ps.setObject(4, Db.ts(now));
      ps.setString(5, facilityId);
      ps.setString(6, field);
      ps.setObject(7, Db.ts(setAt));
      return ps.executeUpdate() == 1;
    }
  }

  static void lock(Connection c, String facilityId) throws SQLException {
    lockAll(c, Set.of(facilityId));
  }

  /**
   * Locks the facilities' rows for the rest of the transaction, in id order: PostgreSQL locks the
   * rows of a {@code SELECT ... ORDER BY ... FOR UPDATE} in that order, so two batches that share
   * facilities wait for each other instead of deadlocking (H2 runs a single node, one batch at a time).
   */
  static void lockAll(Connection c, Set<String> facilityIds) throws SQLException {
    if (facilityIds.isEmpty()) {
      return;
    }
    int locked = 0;
    try (PreparedStatement ps = c.prepareStatement("SELECT facility_id FROM readiness_facility"
        + " WHERE facility_id = ANY(?) ORDER BY facility_id FOR UPDATE")) {
      ps.setArray(1, c.createArrayOf("VARCHAR", facilityIds.toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          locked++;
        }
      }
    }
    if (locked != facilityIds.size()) {
      throw new IllegalStateException("facilities " + facilityIds + " lack readiness rows");
    }
  }

  static Map<String, Board.Reported> values(Connection c, String facilityId) throws SQLException {
    return values(c, Set.of(facilityId)).getOrDefault(facilityId, new TreeMap<>());
  }

  /** The stored values of the facilities (null: of every facility), each facility's in a mutable map, even if empty. */
  static Map<String, Map<String, Board.Reported>> values(Connection c, Collection<String> facilityIds)
      throws SQLException {
    Map<String, Map<String, Board.Reported>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT facility_id, field, field_value, set_by, set_at"
        + " FROM readiness_value" + (facilityIds == null ? "" : " WHERE facility_id = ANY(?)"))) {
      if (facilityIds != null) {
        facilityIds.forEach(id -> out.put(id, new TreeMap<>()));
        ps.setArray(1, c.createArrayOf("VARCHAR", facilityIds.toArray()));
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), f -> new TreeMap<>()).put(rs.getString(2),
              new Board.Reported(rs.getString(3), rs.getString(4), Db.instant(rs.getObject(5))));
        }
      }
    }
    return out;
  }

  /**
   * Value writes queued in a transaction and sent together (one round trip for many updates on
   * PostgreSQL). A field written twice keeps its last value, and is inserted or updated according
   * to whether its row existed before the first write. Flushed before anything reads the values
   * back from the database, and before the journal append.
   */
  static final class Writes {
    private record Write(String facilityId, String field, String value, String actor, Instant at, boolean exists) { }

    private final Map<String, Write> queued = new LinkedHashMap<>();

    void put(String facilityId, String field, String value, String actor, Instant at, boolean exists) {
      Write first = queued.get(facilityId + "\n" + field);
      queued.put(facilityId + "\n" + field, new Write(facilityId, field, value, actor, at,
          first == null ? exists : first.exists()));
    }

    void flush(Connection c) throws SQLException {
      if (queued.isEmpty()) {
        return;
      }
      try (PreparedStatement update = c.prepareStatement("UPDATE readiness_value SET field_value = ?, set_by = ?,"
          + " set_at = ? WHERE facility_id = ? AND field = ?");
           PreparedStatement insert = c.prepareStatement("INSERT INTO readiness_value (facility_id, field, field_value,"
               + " set_by, set_at) VALUES (?, ?, ?, ?, ?)")) {
        int updates = 0;
        int inserts = 0;
        for (Write w : queued.values()) {
          if (w.exists()) {
            bind(update, w.value(), w.actor(), Db.ts(w.at()), w.facilityId(), w.field());
            updates++;
          } else {
            bind(insert, w.facilityId(), w.field(), w.value(), w.actor(), Db.ts(w.at()));
            inserts++;
          }
        }
        if (updates > 0) {
          update.executeBatch();
        }
        if (inserts > 0) {
          insert.executeBatch();
        }
      }
      queued.clear();
    }

    static void bind(PreparedStatement ps, Object... args) throws SQLException {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.addBatch();
    }
  }

  /** Stores a value; {@code exists}: the facility already has a row for the field. */
  static void write(Connection c, String facilityId, String field, String value, String actor, Instant now,
                            boolean exists) throws SQLException {
    if (exists) {
      Db.update(c, "UPDATE readiness_value SET field_value = ?, set_by = ?, set_at = ? WHERE facility_id = ? AND field = ?",
          value, actor, Db.ts(now), facilityId, field);
    } else {
      Db.update(c, "INSERT INTO readiness_value (facility_id, field, field_value, set_by, set_at) VALUES (?, ?, ?, ?, ?)",
          facilityId, field, value, actor, Db.ts(now));
    }
  }

  /** The rules that held at the facility when it was last checked. */
  static Set<String> held(Connection c, String facilityId) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT rule_id FROM readiness_threshold WHERE facility_id = ?")) {
      ps.setString(1, facilityId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  /** The rule holds at the facility (until released). */
  static void hold(Connection c, String facilityId, String ruleId) throws SQLException {
    Db.update(c, "INSERT INTO readiness_threshold (facility_id, rule_id) VALUES (?, ?)", facilityId, ruleId);
  }

  static void release(Connection c, String facilityId, String ruleId) throws SQLException {
    Db.update(c, "DELETE FROM readiness_threshold WHERE facility_id = ? AND rule_id = ?", facilityId, ruleId);
  }

  /** A row per facility, so that updates have something to lock. */
  static void ensure(Connection c, String facilityId) throws SQLException {
    Db.update(c, "INSERT INTO readiness_facility (facility_id) SELECT ? WHERE NOT EXISTS"
        + " (SELECT 1 FROM readiness_facility WHERE facility_id = ?)", facilityId, facilityId);
  }

  /** Whether no value was ever stored (a restored or rebuilt database). */
  static boolean empty(Connection c) throws SQLException {
    return !Db.exists(c, "SELECT 1 FROM readiness_value");
  }
}
