package io.muster.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One walk along the audit chain, row by row in seq order, naming what does not hold as ranges:
 * rows missing (a gap in seq), rows whose hash does not match their content under the key (edited,
 * forged, or the chain recomputed without the key), rows inserted (the row after them still
 * follows the row before them), rows removed and the rest renumbered (a row that no longer follows
 * its predecessor), and, at the end, a head that does not match the last row. Plain Java: the
 * caller reads the rows.
 */
public final class AuditWalk {
  static final int MAX_PROBLEMS = 100;

  private final AuditChain chain;
  private final Long keyedFrom;
  private final Set<Long> wanted;
  private final Map<Long, String> hashesAt = new HashMap<>();
  private final List<String> problems = new ArrayList<>();
  private long expected = 1;
  private long lastSeq;
  private String prevHash = AuditChain.GENESIS;
  private boolean gapBefore;
  private boolean keyedRowHolds;
  /** The open run of rows that fail their hash: first and last seq, the hash and seq just before it. */
  private long runStart = -1;
  private long runEnd;
  private String runEndHash;
  private String beforeRunHash;
  private long beforeRunSeq;

  /** {@code wanted}: the seqs whose stored hash the caller needs afterwards (those checkpoints name). */
  public AuditWalk(AuditChain chain, Long keyedFrom, Set<Long> wanted) {
    this.chain = chain;
    this.keyedFrom = keyedFrom;
    this.wanted = wanted;
  }

  public void accept(Audit.Row r) {
    if (r.seq() > expected) {
      problem(rows(expected, r.seq() - 1) + verb(expected, r.seq() - 1, " is", " are") + " missing: deleted from the log");
      gapBefore = true;
    }
    if (wanted.contains(r.seq())) {
      hashesAt.put(r.seq(), r.hash());
    }
    boolean holds = chain.hash(r.seq(), keyedFrom, r.prevHash(), r.at(), r.entry()).equals(r.hash());
    if (keyedFrom != null && r.seq() == keyedFrom && !AuditChain.ANCHOR_ACTION.equals(r.entry().action())) {
      problem("row " + n(r.seq()) + ", where the head says the keyed chain begins, is not its anchor row");
    }
    if (!holds) {
      if (runStart < 0) {
        runStart = r.seq();
        beforeRunHash = prevHash;
        beforeRunSeq = lastSeq;
      }
      runEnd = r.seq();
      runEndHash = r.hash();
    } else {
      keyedRowHolds |= keyedFrom != null && r.seq() >= keyedFrom;
      if (runStart >= 0) {
        closeRun(r);
      } else if (!r.prevHash().equals(prevHash) && !gapBefore && keyedFrom != null && r.seq() == keyedFrom) {
        problem("the rows before row " + n(r.seq()) + ", which its anchor sealed, were changed and re-hashed, or some"
            + " were removed: row " + n(r.seq()) + " does not follow row " + n(lastSeq));
      } else if (!r.prevHash().equals(prevHash) && !gapBefore) {
        problem("rows were removed before row " + n(r.seq()) + ": it does not follow row " + n(lastSeq)
            + " (the rows after the gap were renumbered)");
      }
    }
    prevHash = r.hash();
    lastSeq = r.seq();
    expected = r.seq() + 1;
    gapBefore = false;
  }

  /** A run of rows that fail their hash, ended by row {@code next}, which holds: what the link from {@code next} says. */
  private void closeRun(Audit.Row next) {
    String range = rows(runStart, runEnd) + verb(runStart, runEnd, " was", " were");
    if (next.prevHash().equals(runEndHash)) {
      problem(range + " changed after being written: the content no longer matches the hash");
    } else if (next.prevHash().equals(beforeRunHash)) {
      problem(range + " inserted: row " + n(next.seq()) + " follows "
          + (beforeRunSeq == 0 ? "the start of the log" : "row " + n(beforeRunSeq)) + " directly");
    } else {
      problem(range + " changed and re-hashed without the audit key: the content does not match the hash"
          + " and row " + n(next.seq()) + " no longer follows " + (runStart == runEnd ? "it" : "them"));
    }
    runStart = -1;
  }

  /** Ends the walk at the head row's seq and hash; returns every problem found. */
  public List<String> finish(long headSeq, String headHash) {
    if (runStart >= 0) {
      problem(rows(runStart, runEnd) + (runEnd == lastSeq ? " (to the end of the log)" : "")
          + verb(runStart, runEnd, " does", " do") + " not verify with the audit key: changed,"
          + " or the chain rewritten from row " + n(runStart) + " by someone without the key"
          + (keyedFrom != null && !keyedRowHolds && runStart <= keyedFrom
              ? " (no keyed row verifies: is this the key the nodes use?)" : ""));
      runStart = -1;
    }
    if (lastSeq < headSeq) {
      problem(rows(lastSeq + 1, headSeq) + verb(lastSeq + 1, headSeq, " is", " are") + " missing from the end: the head says the log has " + n(headSeq)
          + " rows");
    } else if (headSeq > 0 && !headHash.equals(prevHash)) {
      problem("the head says row " + n(headSeq) + " ends in " + shortHash(headHash) + ", but it ends in "
          + shortHash(prevHash) + ": the head or that row was changed");
    }
    if (keyedFrom == null && headSeq > 0) {
      problem("no row is chained with the audit key: no node with the key has written to this log yet (start one),"
          + " or its keyed rows were removed and the log rewritten without the key");
    } else if (keyedFrom != null && keyedFrom > headSeq) {
      problem("the head says the keyed chain begins at row " + n(keyedFrom) + ", after the log's last row "
          + n(headSeq));
    }
    return problems;
  }

  public long lastSeq() {
    return lastSeq;
  }

  /** The stored hash of each wanted seq that was found. */
  public Map<Long, String> hashesAt() {
    return hashesAt;
  }

  private void problem(String text) {
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(text);
    }
  }

  /** "row 5" or "rows 5-7", with thousands separators. */
  public static String rows(long from, long to) {
    return from == to ? "row " + n(from) : "rows " + n(from) + "-" + n(to);
  }

  static String verb(long from, long to, String one, String many) {
    return from == to ? one : many;
  }

  public static String n(long value) {
    return String.format(Locale.ROOT, "%,d", value);
  }

  public static String shortHash(String hash) {
    return hash == null ? "(none)" : hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
  }
}
