package io.muster.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The append-only journal, in one global order with no gaps. {@link #append} writes events with
 * provisional (negative) sequences and takes no shared lock; after the commit {@link #sequence}
 * numbers every committed provisional row under the head row's lock, so numbers become visible in
 * order (see V21__journal_sequencer.sql; {@link Db#tx} has it done before it returns). Readers
 * read numbered rows only. The audit log records each event after it is numbered, off this lock
 * (see {@code AuditTrail}).
 */
public final class Journal {
  /** The sequence of an event {@link #append} returns: it is numbered after the commit. */
  public static final long PROVISIONAL = 0;

  private Journal() {
  }

  /**
   * Appends the events in the caller's transaction. Each event is stamped with its facility: the
   * payload's {@code facilityId}, else its incident's.
   */
  public static List<JournalEvent> append(Connection c, Instant at, List<NewEvent> events) throws SQLException {
    List<JournalEvent> appended = new ArrayList<>(events.size());
    Map<String, String> facilities = new HashMap<>();
    String next = c.getMetaData().getURL().startsWith("jdbc:postgresql:") ? "-nextval('journal_pending')"
        : "-(NEXT VALUE FOR journal_pending)";
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO journal (seq, event_type, incident_id, occurred_at, actor,"
        + " payload, facility_id) VALUES (" + next + ", ?, ?, ?, ?, ?, ?)")) {
      for (NewEvent e : events) {
        String payload = EventJson.write(e.event());
        Map<String, Object> fields = EventJson.map(payload);
        String facility = facility(c, e, fields, facilities);
        ps.setString(1, e.type());
        ps.setString(2, e.incidentId());
        ps.setObject(3, Db.ts(at));
        ps.setString(4, e.actor());
        ps.setString(5, payload);
        ps.setString(6, facility);
        ps.addBatch();
        appended.add(new JournalEvent(PROVISIONAL, e.type(), e.incidentId(), facility, at, e.actor(), fields));
      }
      ps.executeBatch();
    }
    Db.appended(appended);
    return appended;
  }

  /**
   * Numbers the committed provisional rows, oldest first, after the head (at most {@code limit}),
   * under the head row's lock, in the caller's transaction; returns them as numbered. Nothing is
   * locked when there is nothing to number.
   */
  public static List<JournalEvent> sequence(Connection c, int limit) throws SQLException {
    if (!Db.exists(c, "SELECT 1 FROM journal WHERE seq < 0")) {
      return List.of();
    }
    long head = lockHead(c);
    List<JournalEvent> provisional;
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_type, incident_id, facility_id, occurred_at, actor,"
        + " payload FROM journal WHERE seq < 0 ORDER BY seq DESC LIMIT ?")) {
      ps.setInt(1, limit);
      provisional = read(ps);
    }
    if (provisional.isEmpty()) {
      return List.of();
    }
    List<JournalEvent> numbered = new ArrayList<>(provisional.size());
    try (PreparedStatement ps = c.prepareStatement("UPDATE journal SET seq = ? WHERE seq = ?")) {
      for (JournalEvent e : provisional) {
        head++;
        ps.setLong(1, head);
        ps.setLong(2, e.seq());
        ps.addBatch();
        numbered.add(new JournalEvent(head, e.type(), e.incidentId(), e.facilityId(), e.at(), e.actor(), e.payload()));
      }
      ps.executeBatch();
    }
    Db.update(c, "UPDATE journal_head SET seq = ? WHERE id = 1", head);
    return numbered;
  }

  private static String facility(Connection c, NewEvent e, Map<String, Object> payload, Map<String, String> known)
      throws SQLException {
    if (payload.get("facilityId") instanceof String f) {
      return f;
    }
    if (e.incidentId() == null) {
      return null;
    }
    String f = known.get(e.incidentId());
    if (f == null) {
      try (PreparedStatement ps = c.prepareStatement("SELECT facility_id FROM incident WHERE id = ?")) {
        ps.setString(1, e.incidentId());
        try (ResultSet rs = ps.executeQuery()) {
          f = rs.next() ? rs.getString(1) : null;
        }
      }
      if (f != null) {
        known.put(e.incidentId(), f);
      }
    }
    return f;
  }

  /** The events after {@code afterSeq}, oldest first, at most {@code limit}. */
  public static List<JournalEvent> after(Connection c, long afterSeq, int limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT seq, event_type, incident_id, facility_id, occurred_at, actor, payload FROM journal WHERE seq > ? ORDER BY seq LIMIT ?")) {
      ps.setLong(1, afterSeq);
      ps.setInt(2, limit);
      return read(ps);
    }
  }

  /** The events of these types after {@code afterSeq} and up to {@code upToSeq}, oldest first, at most {@code limit}. */
  public static List<JournalEvent> ofTypes(Connection c, long afterSeq, long upToSeq, java.util.Set<String> types,
                                           int limit) throws SQLException {
    String in = String.join(", ", java.util.Collections.nCopies(types.size(), "?"));
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_type, incident_id, facility_id, occurred_at, actor,"
        + " payload FROM journal WHERE seq > ? AND seq <= ? AND event_type IN (" + in + ") ORDER BY seq LIMIT ?")) {
      int i = 1;
      ps.setLong(i++, afterSeq);
      ps.setLong(i++, upToSeq);
      for (String type : types) {
        ps.setString(i++, type);
      }
      ps.setInt(i, limit);
      return read(ps);
    }
  }

  /** One incident's events, oldest first (its timeline). */
  public static List<JournalEvent> forIncident(Connection c, String incidentId) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT seq, event_type, incident_id, facility_id, occurred_at, actor, payload FROM journal WHERE incident_id = ?"
            + " AND seq > 0 ORDER BY seq")) {
      ps.setString(1, incidentId);
      return read(ps);
    }
  }

  /** The sequence of the newest committed event. */
  public static long head(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM journal_head WHERE id = 1");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long lockHead(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM journal_head WHERE id = 1 FOR UPDATE");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<JournalEvent> read(PreparedStatement ps) throws SQLException {
    List<JournalEvent> events = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        events.add(new JournalEvent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
            Db.instant(rs.getObject(5)), rs.getString(6), EventJson.map(rs.getString(7))));
      }
    }
    return events;
  }

}
