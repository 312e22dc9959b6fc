package io.muster.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The audit log's rows (see V5__security.sql, V6__audit_keyed.sql): appended under the lock of the
 * {@code audit_head} row, one writer at a time across the cluster, each row's hash chained with the
 * audit key ({@link AuditChain}). Journal events are audited after their commit, in journal order,
 * by whoever holds that lock next ({@link #appendWithJournal}); {@link #verify} walks the chain up
 * to the head it read first and checks every audited journal event's payload.
 */
public final class Audit {
  public static final String GENESIS = AuditChain.GENESIS;
  private static final int PAGE = 2000;

  /** One thing that happened: who, from where, what, to what, with which outcome. */
  public record Entry(String actor, String origin, String action, String target, String outcome, String detail,
                      Long journalSeq) {
    public Entry(String actor, String origin, String action, String target, String outcome, String detail) {
      this(actor, origin, action, target, outcome, detail, null);
    }

    public Entry {
      actor = clip(actor == null ? "anonymous" : actor, 200);
      origin = clip(origin == null ? "-" : origin, 200);
      action = clip(action, 200);
      target = target == null ? null : clip(target, 200);
      outcome = clip(outcome, 64);
      detail = clip(detail == null ? "" : detail, 4000);
    }
  }

  /** One stored row. */
  public record Row(long seq, Instant at, Entry entry, String prevHash, String hash) { }

  /**
   * The head row: the newest audit row's seq and hash, the first keyed row (null: none yet) and the
   * newest journal event audited.
   */
  public record Head(long seq, String hash, Long keyedFrom, long journalSeq) { }

  /**
   * What the walk found, up to the head it read first: how many rows, the head's hash, where the
   * keyed chain begins, the problems (empty when the chain holds), and the stored hash of each
   * row the caller asked about (rows checkpoints name).
   */
  public record Verification(long rows, String headHash, Long keyedFrom, List<String> problems,
                             Map<Long, String> hashesAt) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private Audit() {
  }

  /** The head row; {@code lock}: held until the caller's transaction ends (the one lock appends take). */
  public static Head head(Connection c, boolean lock) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, row_hash, keyed_from, journal_seq FROM audit_head"
        + " WHERE id = 1" + (lock ? " FOR UPDATE" : ""));
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Head(rs.getLong(1), rs.getString(2), rs.getObject(3, Long.class), rs.getLong(4));
    }
  }

  /** The stored hash of row {@code seq}, if there is such a row. */
  public static Optional<String> hashAt(Connection c, long seq) throws SQLException {
    if (seq == 0) {
      return Optional.of(GENESIS);
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT row_hash FROM audit_log WHERE seq = ?")) {
      ps.setLong(1, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Whether there is anything for an auditor to do: journal events not yet audited, or no anchor yet. */
  public static boolean behind(Connection c) throws SQLException {
    return Db.exists(c, "SELECT 1 FROM audit_head a, journal_head j WHERE a.id = 1 AND j.id = 1"
        + " AND (j.seq > a.journal_seq OR a.keyed_from IS NULL)");
  }

  /**
   * In the caller's transaction: takes the head's lock, appends {@code entries}, then one row for
   * each journal event after the last one audited (at most {@code journalLimit}); returns how many
   * journal events it audited. The journal's sequence is gap-free and becomes visible in order, so
   * reading "after the last audited" under this lock audits each event once, whichever node runs it.
   */
  public static int appendWithJournal(Connection c, AuditChain chain, String origin, Instant at, List<Entry> entries,
                                      int journalLimit) throws SQLException {
    Head head = head(c, true);
    List<Entry> events = journalEntries(c, head.journalSeq(), journalLimit);
    List<Entry> all = new ArrayList<>(entries);
    all.addAll(events);
    write(c, chain, head, origin, at, all);
    return events.size();
  }

  /** Appends the entries after {@code head} (locked by the caller); the first keyed write adds the anchor row. */
  private static void write(Connection c, AuditChain chain, Head head, String origin, Instant at, List<Entry> entries)
      throws SQLException {
    Long keyedFrom = head.keyedFrom();
    List<Entry> rows = new ArrayList<>(entries.size() + 1);
    if (keyedFrom == null) {
      keyedFrom = head.seq() + 1;
      rows.add(new Entry("system", origin, AuditChain.ANCHOR_ACTION, "audit_log", "keyed",
          "{\"plainRows\":" + head.seq() + ",\"plainHead\":\"" + head.hash() + "\"}"));
    }
    rows.addAll(entries);
    if (rows.isEmpty()) {
      return;
    }
    Instant when = at.truncatedTo(ChronoUnit.MILLIS);
    long seq = head.seq();
    String hash = head.hash();
    long journalSeq = head.journalSeq();
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, logged_at, actor, origin, action, target,"
        + " outcome, detail, journal_seq, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Entry e : rows) {
        seq++;
        String next = chain.hash(seq, keyedFrom, hash, when, e);
        ps.setLong(1, seq);
        ps.setObject(2, Db.ts(when));
        ps.setString(3, e.actor());
        ps.setString(4, e.origin());
        ps.setString(5, e.action());
        ps.setString(6, e.target());
        ps.setString(7, e.outcome());
        ps.setString(8, e.detail());
        ps.setObject(9, e.journalSeq());
        ps.setString(10, hash);
        ps.setString(11, next);
        ps.addBatch();
        hash = next;
        journalSeq = e.journalSeq() == null ? journalSeq : Math.max(journalSeq, e.journalSeq());
      }
      ps.executeBatch();
    }
    Db.update(c, "UPDATE audit_head SET seq = ?, row_hash = ?, keyed_from = ?, journal_seq = ? WHERE id = 1",
        seq, hash, keyedFrom, journalSeq);
  }

  /** The journal events after {@code afterSeq}, as audit entries: who, which event, on what, a digest of the payload. */
  private static List<Entry> journalEntries(Connection c, long afterSeq, int limit) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    if (limit <= 0) {
      return entries;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_type, incident_id, facility_id, actor, payload"
        + " FROM journal WHERE seq > ? ORDER BY seq LIMIT ?")) {
      ps.setLong(1, afterSeq);
      ps.setInt(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String incident = rs.getString(3);
          String facility = rs.getString(4);
          entries.add(new Entry(rs.getString(5), "journal", "event " + rs.getString(2),
              incident != null ? "incident:" + incident : facility == null ? null : "facility:" + facility,
              "committed", "{\"payloadSha256\":\"" + sha256(rs.getString(6)) + "\"}", rs.getLong(1)));
        }
      }
    }
    return entries;
  }

  /**
   * Walks the chain as of one moment: the head is read first, then the rows up to it. Rows are only
   * ever appended together with the head in one transaction, so every row up to the head a reader
   * sees is committed and stays as it is; rows appended meanwhile lie after it and are left for the
   * next walk. (This needs no snapshot isolation, which H2 and PostgreSQL offer differently.)
   * {@code wanted}: seqs whose stored hash the caller needs (the rows checkpoints name).
   */
  public static Verification verify(Db db, AuditChain chain, Set<Long> wanted) {
    Head head = db.tx(c -> head(c, false));
    AuditWalk walk = new AuditWalk(chain, head.keyedFrom(), wanted);
    long after = 0;
    while (true) {
      long from = after;
      List<Row> rows = db.tx(c -> page(c, from, head.seq()));
      rows.forEach(walk::accept);
      if (rows.size() < PAGE) {
        break;
      }
      after = rows.get(rows.size() - 1).seq();
    }
    List<String> problems = new ArrayList<>(walk.finish(head.seq(), head.hash()));
    problems.addAll(db.tx(c -> beyondHead(c)));
    problems.addAll(db.tx(c -> journalMismatches(c, head.seq())));
    return new Verification(Math.min(walk.lastSeq(), head.seq()), head.hash(), head.keyedFrom(), problems,
        walk.hashesAt());
  }

  /**
   * Rows after the head, which only a moved-back head leaves: the newest row is read before the head,
   * so a row appended meanwhile is already covered by the head read after it.
   */
  private static List<String> beyondHead(Connection c) throws SQLException {
    long newest;
    try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(seq), 0) FROM audit_log");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      newest = rs.getLong(1);
    }
    long head = head(c, false).seq();
    return newest <= head ? List.of() : List.of(AuditWalk.rows(head + 1, newest) + AuditWalk.verb(head + 1, newest,
        " lies", " lie") + " after the head row (seq " + AuditWalk.n(head) + "): the head was moved back");
  }

  /** Journal events whose payload or type no longer matches what the audit log took of it, as ranges. */
  private static List<String> journalMismatches(Connection c, long upTo) throws SQLException {
    Ranges changed = new Ranges("changed after being audited: the payload no longer matches its digest");
    Ranges missing = new Ranges("missing from the journal");
    try (PreparedStatement ps = c.prepareStatement("SELECT a.seq, a.journal_seq, a.action, a.detail, j.seq, j.event_type,"
        + " j.payload FROM audit_log a LEFT JOIN journal j ON j.seq = a.journal_seq"
        + " WHERE a.journal_seq IS NOT NULL AND a.seq <= ? ORDER BY a.seq")) {
      ps.setLong(1, upTo);
      ps.setFetchSize(PAGE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          long row = rs.getLong(1);
          long event = rs.getLong(2);
          if (rs.getObject(5) == null) {
            missing.add(event, row);
          } else if (!rs.getString(4).contains("\"payloadSha256\":\"" + sha256(rs.getString(7)) + "\"")
              || !rs.getString(3).equals("event " + rs.getString(6))) {
            changed.add(event, row);
          }
        }
      }
    }
    List<String> problems = new ArrayList<>(changed.texts());
    problems.addAll(missing.texts());
    return problems;
  }

  /** Journal events (and the audit rows that recorded them) in consecutive runs, each run one problem. */
  private static final class Ranges {
    private final String what;
    private final List<long[]> runs = new ArrayList<>();

    Ranges(String what) {
      this.what = what;
    }

    void add(long event, long row) {
      long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
      if (last != null && last[1] == event - 1 && last[3] == row - 1) {
        last[1] = event;
        last[3] = row;
      } else if (runs.size() < AuditWalk.MAX_PROBLEMS) {
        runs.add(new long[] {event, event, row, row});
      }
    }

    List<String> texts() {
      return runs.stream().map(r -> "journal " + (r[0] == r[1] ? "event " + AuditWalk.n(r[0])
          : "events " + AuditWalk.n(r[0]) + "-" + AuditWalk.n(r[1])) + " (audited in " + AuditWalk.rows(r[2], r[3])
          + ") " + (r[0] == r[1] ? "was " : "were ") + what).toList();
    }
  }

  private static List<Row> page(Connection c, long after, long upTo) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, logged_at, actor, origin, action, target, outcome, detail,"
        + " journal_seq, prev_hash, row_hash FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT " + PAGE)) {
      ps.setLong(1, after);
      ps.setLong(2, upTo);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getLong(1), Db.instant(rs.getObject(2)), new Entry(rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getObject(9, Long.class)),
              rs.getString(10), rs.getString(11)));
        }
      }
    }
    return rows;
  }

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }
}
