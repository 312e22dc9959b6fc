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

/**
 * The hash-chained audit log (see V5__security.sql). Rows are appended under the journal head's
 * lock; each row's hash covers its fields and the previous hash. {@link #verify} walks the chain
 * and also checks that every journal event it records still has the payload it had.
 */
public final class Audit {
  public static final String GENESIS = "0".repeat(64);
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

  /** What the verification found: how many rows, and the problems (empty when the chain holds). */
  public record Verification(long rows, String headHash, List<String> problems) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private Audit() {
  }

  /** Appends the entries, in order, inside the caller's transaction. */
  public static void append(Connection c, Instant at, List<Entry> entries) throws SQLException {
    if (entries.isEmpty()) {
      return;
    }
    Instant when = at.truncatedTo(ChronoUnit.MILLIS);
    long seq;
    String hash;
    try (PreparedStatement ps = c.prepareStatement("SELECT audit_seq, audit_hash FROM journal_head WHERE id = 1 FOR UPDATE");
         ResultSet rs = ps.executeQuery()) {
      rs.next();
      seq = rs.getLong(1);
      hash = rs.getString(2);
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (seq, logged_at, actor, origin, action, target,"
        + " outcome, detail, journal_seq, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      for (Entry e : entries) {
        seq++;
        String next = hash(hash, seq, when, e);
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
      }
      ps.executeBatch();
    }
    Db.update(c, "UPDATE journal_head SET audit_seq = ?, audit_hash = ? WHERE id = 1", seq, hash);
  }

  /** Walks the whole chain; any edited, inserted or deleted row shows up as a problem. */
  public static Verification verify(Db db) {
    List<String> problems = new ArrayList<>();
    long expected = 0;
    String hash = GENESIS;
    while (true) {
      long after = expected;
      List<Row> rows = db.tx(c -> page(c, after));
      for (Row r : rows) {
        expected++;
        if (r.seq() != expected) {
          problems.add("row " + expected + " is missing (the next row is " + r.seq() + ")");
          expected = r.seq();
        }
        if (!r.prevHash().equals(hash)) {
          problems.add("row " + r.seq() + " does not follow the row before it (its previous hash differs)");
        }
        String computed = hash(r.prevHash(), r.seq(), r.at(), r.entry());
        if (!computed.equals(r.hash())) {
          problems.add("row " + r.seq() + " was changed after it was written (its hash does not match its content)");
        }
        hash = r.hash();
        if (problems.size() > 100) {
          return new Verification(expected, hash, problems);
        }
      }
      if (rows.size() < PAGE) {
        break;
      }
    }
    long rows = expected;
    String last = hash;
    db.tx(c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT audit_seq, audit_hash FROM journal_head WHERE id = 1");
           ResultSet rs = ps.executeQuery()) {
        rs.next();
        if (rs.getLong(1) != rows || !rs.getString(2).equals(last)) {
          problems.add("the log ends at row " + rows + " but " + rs.getLong(1)
              + " rows were written: rows were removed from its end");
        }
      }
      problems.addAll(journalMismatches(c));
      return null;
    });
    return new Verification(rows, last, problems);
  }

  /** Journal events whose payload no longer matches the digest the audit log took of it. */
  private static List<String> journalMismatches(Connection c) throws SQLException {
    List<String> problems = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT a.seq, a.target, a.detail, j.payload, j.seq FROM audit_log a"
        + " LEFT JOIN journal j ON j.seq = a.journal_seq WHERE a.journal_seq IS NOT NULL ORDER BY a.seq");
         ResultSet rs = fetched(ps).executeQuery()) {
      while (rs.next() && problems.size() < 100) {
        String payload = rs.getString(4);
        if (rs.getObject(5) == null) {
          problems.add("journal event recorded by audit row " + rs.getLong(1) + " is missing");
        } else if (!rs.getString(3).contains("\"payloadSha256\":\"" + sha256(payload) + "\"")) {
          problems.add("journal event recorded by audit row " + rs.getLong(1) + " was changed after it was written");
        }
      }
    }
    return problems;
  }

  private static PreparedStatement fetched(PreparedStatement ps) throws SQLException {
    ps.setFetchSize(PAGE);
    return ps;
  }

  private record Row(long seq, Instant at, Entry entry, String prevHash, String hash) { }

  private static List<Row> page(Connection c, long after) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT seq, logged_at, actor, origin, action, target, outcome, detail,"
        + " journal_seq, prev_hash, row_hash FROM audit_log WHERE seq > ? ORDER BY seq LIMIT " + PAGE)) {
      ps.setLong(1, after);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new Row(rs.getLong(1), Db.instant(rs.getObject(2)), new Entry(rs.getString(3), rs.getString(4),
              rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), (Long) rs.getObject(9, Long.class)),
              rs.getString(10), rs.getString(11)));
        }
      }
    }
    return rows;
  }

  static String hash(String prev, long seq, Instant at, Entry e) {
    return sha256(String.join("\u001f", prev, Long.toString(seq), Long.toString(at.toEpochMilli()), e.actor(),
        e.origin(), e.action(), String.valueOf(e.target()), e.outcome(), e.detail(), String.valueOf(e.journalSeq())));
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
