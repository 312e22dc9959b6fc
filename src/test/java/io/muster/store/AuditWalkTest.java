package io.muster.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The walk names what changed in a chain, as ranges of rows, without a database. */
class AuditWalkTest {
  private static final AuditChain KEYED = new AuditChain(AuditChainTest.KEY);
  private static final AuditChain WRONG = new AuditChain("another-key-another-key-another-k".getBytes(StandardCharsets.UTF_8));
  private static final Instant AT = Instant.parse("2026-12-07T14:02:10Z");

  /** Rows 1..count; rows before {@code keyedFrom} plain, the anchor at {@code keyedFrom}, keyed after. */
  private static List<Audit.Row> log(int count, long keyedFrom) {
    List<Audit.Row> rows = new ArrayList<>();
    for (int seq = 1; seq <= count; seq++) {
      rows.add(row(seq, seq == keyedFrom ? AuditChain.ANCHOR_ACTION : "op", "user:" + seq));
    }
    return rehash(rows, 1, (seq, r) -> KEYED.hash(seq, keyedFrom, r.prevHash(), r.at(), r.entry()));
  }

  private static Audit.Row row(long seq, String action, String actor) {
    return new Audit.Row(seq, AT.plusSeconds(seq), new Audit.Entry(actor, "127.0.0.1", action, null, "200", "", null),
        "", "");
  }

  /** Recomputes the chain from row {@code from} on (its position in the list), as whoever holds {@code hasher} would. */
  private static List<Audit.Row> rehash(List<Audit.Row> rows, int from, BiFunction<Long, Audit.Row, String> hasher) {
    List<Audit.Row> out = new ArrayList<>(rows.subList(0, from - 1));
    String prev = out.isEmpty() ? AuditChain.GENESIS : out.get(out.size() - 1).hash();
    for (Audit.Row r : rows.subList(from - 1, rows.size())) {
      Audit.Row linked = new Audit.Row(r.seq(), r.at(), r.entry(), prev, "");
      String hash = hasher.apply(r.seq(), linked);
      out.add(new Audit.Row(r.seq(), r.at(), r.entry(), prev, hash));
      prev = hash;
    }
    return out;
  }

  private static Audit.Row edited(Audit.Row r) {
    Audit.Entry e = r.entry();
    return new Audit.Row(r.seq(), r.at(), new Audit.Entry("user:nobody", e.origin(), e.action(), e.target(), e.outcome(),
        e.detail(), e.journalSeq()), r.prevHash(), r.hash());
  }

  private static Audit.Row renumbered(Audit.Row r, long seq) {
    return new Audit.Row(seq, r.at(), r.entry(), r.prevHash(), r.hash());
  }

  private static List<String> walk(List<Audit.Row> rows, Long keyedFrom) {
    return walk(rows, keyedFrom, KEYED);
  }

  /** Walks with the head where an attacker who fixed it up would leave it: at the last row. */
  private static List<String> walk(List<Audit.Row> rows, Long keyedFrom, AuditChain chain) {
    Audit.Row last = rows.get(rows.size() - 1);
    return walk(rows, keyedFrom, chain, last.seq(), last.hash());
  }

  private static List<String> walk(List<Audit.Row> rows, Long keyedFrom, AuditChain chain, long headSeq, String head) {
    AuditWalk walk = new AuditWalk(chain, keyedFrom, Set.of());
    rows.forEach(walk::accept);
    return walk.finish(headSeq, head);
  }

  @Test
  @DisplayName("an untouched keyed log holds")
  void intact() {
    assertThat(walk(log(10, 1), 1L)).isEmpty();
  }

  @Test
  @DisplayName("an edited row is named, and so is a run of them")
  void edited() {
    List<Audit.Row> rows = log(10, 1);
    rows.set(4, edited(rows.get(4)));
    assertThat(walk(rows, 1L)).containsExactly("row 5 was changed after being written: the content no longer matches the hash");
    rows.set(5, edited(rows.get(5)));
    assertThat(walk(rows, 1L)).containsExactly("rows 5-6 were changed after being written: the content no longer matches the hash");
  }

  @Test
  @DisplayName("an edited row whose hash was recomputed without the key is named, and the row after no longer follows it")
  void editedAndRehashed() {
    List<Audit.Row> rows = log(10, 1);
    Audit.Row e = edited(rows.get(4));
    rows.set(4, new Audit.Row(5, e.at(), e.entry(), e.prevHash(), AuditChain.plain(e.prevHash(), 5, e.at(), e.entry())));
    assertThat(walk(rows, 1L)).singleElement().asString().startsWith("row 5 was changed and re-hashed without the audit key")
        .contains("row 6 no longer follows it");
  }

  @Test
  @DisplayName("a row inserted in the middle (the rest renumbered) is named: the row after it follows the row before it")
  void inserted() {
    List<Audit.Row> rows = log(10, 1);
    List<Audit.Row> forged = new ArrayList<>(rows.subList(0, 4));
    Audit.Row fake = row(5, "login", "user:ghost");
    String prev = rows.get(3).hash();
    forged.add(new Audit.Row(5, fake.at(), fake.entry(), prev, AuditChain.plain(prev, 5, fake.at(), fake.entry())));
    for (Audit.Row r : rows.subList(4, 10)) {
      forged.add(renumbered(r, r.seq() + 1));
    }
    assertThat(walk(forged, 1L)).containsExactly("row 5 was inserted: row 6 follows row 4 directly");
  }

  @Test
  @DisplayName("a deleted range in the middle is named; renumbered to hide the gap, the break is named where it is")
  void deleted() {
    List<Audit.Row> rows = log(10, 1);
    List<Audit.Row> gap = new ArrayList<>(rows);
    gap.subList(4, 7).clear();
    assertThat(walk(gap, 1L)).containsExactly("rows 5-7 are missing: deleted from the log");
    List<Audit.Row> hidden = new ArrayList<>(gap.subList(0, 4));
    for (Audit.Row r : gap.subList(4, gap.size())) {
      hidden.add(renumbered(r, r.seq() - 3));
    }
    assertThat(walk(hidden, 1L)).containsExactly(
        "rows were removed before row 5: it does not follow row 4 (the rows after the gap were renumbered)");
  }

  @Test
  @DisplayName("the chain recomputed from an edited row on, with plain SHA-256 or another key, is named as that range")
  void rewrittenWithoutTheKey() {
    List<Audit.Row> rows = log(10, 1);
    rows.set(4, edited(rows.get(4)));
    List<Audit.Row> plain = rehash(rows, 5, (seq, r) -> AuditChain.plain(r.prevHash(), seq, r.at(), r.entry()));
    assertThat(walk(plain, 1L)).singleElement().asString()
        .startsWith("rows 5-10 (to the end of the log) do not verify with the audit key");
    List<Audit.Row> wrongKey = rehash(rows, 5, (seq, r) -> WRONG.keyed(r.prevHash(), r.at(), r.entry()));
    assertThat(walk(wrongKey, 1L)).singleElement().asString()
        .startsWith("rows 5-10 (to the end of the log) do not verify with the audit key")
        .doesNotContain("is this the key");
  }

  @Test
  @DisplayName("rows cut from the end: seen when the head still says more; not by the chain alone when the head was moved back")
  void truncated() {
    List<Audit.Row> rows = log(10, 1);
    String head = rows.get(9).hash();
    List<Audit.Row> cut = new ArrayList<>(rows.subList(0, 8));
    assertThat(walk(cut, 1L, KEYED, 10, head)).containsExactly(
        "rows 9-10 are missing from the end: the head says the log has 10 rows");
    assertThat(walk(cut, 1L)).as("only a checkpoint can tell (see AuditCheckTest)").isEmpty();
  }

  @Test
  @DisplayName("a head whose hash is not its row's is named")
  void headHashDiffers() {
    List<Audit.Row> rows = log(10, 1);
    assertThat(walk(rows, 1L, KEYED, 10, "f".repeat(64))).singleElement().asString()
        .startsWith("the head says row 10 ends in ffffffffffff…");
  }

  @Test
  @DisplayName("verified with another key, every keyed row fails and the message asks about the key")
  void wrongVerifierKey() {
    assertThat(walk(log(10, 1), 1L, WRONG)).singleElement().asString()
        .startsWith("rows 1-10 (to the end of the log) do not verify with the audit key")
        .endsWith("(no keyed row verifies: is this the key the nodes use?)");
  }

  @Test
  @DisplayName("rows from before the key verify as the plain chain up to the anchor, which seals them")
  void plainRowsBeforeTheAnchor() {
    List<Audit.Row> rows = log(8, 4);
    assertThat(walk(rows, 4L)).isEmpty();
    rows.set(1, edited(rows.get(1)));
    List<Audit.Row> rewritten = new ArrayList<>(rows.subList(0, 3));
    rewritten = rehash(rewritten, 2, (seq, r) -> AuditChain.plain(r.prevHash(), seq, r.at(), r.entry()));
    rewritten.addAll(rows.subList(3, 8));
    assertThat(walk(rewritten, 4L)).containsExactly("the rows before row 4, which its anchor sealed, were changed and"
        + " re-hashed, or some were removed: row 4 does not follow row 3");
  }

  @Test
  @DisplayName("a head that moves where the keyed chain begins, or forgets it, is caught")
  void keyedFromMoved() {
    List<Audit.Row> rows = log(8, 4);
    assertThat(walk(rows, 5L)).contains("row 5, where the head says the keyed chain begins, is not its anchor row")
        .anySatisfy(p -> assertThat(p).startsWith("row 4 was changed"));
    assertThat(walk(rows, null)).anySatisfy(p -> assertThat(p).startsWith("no row is chained with the audit key"));
    assertThat(walk(rows, 12L)).anySatisfy(p -> assertThat(p).startsWith("the head says the keyed chain begins at row 12"));
  }
}
