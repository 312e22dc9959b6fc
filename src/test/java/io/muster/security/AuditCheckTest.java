package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.store.Audit;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What checkpoints prove that the chain alone cannot: rows cut from the end with the head moved back. */
class AuditCheckTest {
  private static final Instant AT = Instant.parse("2026-12-07T14:02:10Z");
  private static final String H1150 = "a".repeat(64);
  private static final String H1204 = "b".repeat(64);

  private static Checkpoint at(long seq, String hash, Long keyedFrom) {
    return Checkpoint.signed(seq, hash, keyedFrom, AT, "node-a", CheckpointTest.KEY);
  }

  @Test
  @DisplayName("a database that ends before a checkpoint's row is named with the checkpoint that proves it")
  void truncationProvenByCheckpoint() {
    Audit.Verification db = new Audit.Verification(1150, H1150, 1L, List.of(), Map.of(1150L, H1150));
    assertThat(AuditCheck.compare(db, List.of(at(1150, H1150, 1L), at(1204, H1204, 1L)))).containsExactly(
        "checkpoint of 2026-12-07T14:02:10Z signed by node-a says the log had 1,204 rows ending in bbbbbbbbbbbb…;"
            + " the database has 1,150: rows 1,151-1,204 were removed from its end");
  }

  @Test
  @DisplayName("a row whose hash is not the one a checkpoint signed is named: the log was rewritten or cut and regrown")
  void rewrittenSinceCheckpoint() {
    Audit.Verification db = new Audit.Verification(1300, "c".repeat(64), 1L, List.of(), Map.of(1204L, "d".repeat(64)));
    assertThat(AuditCheck.compare(db, List.of(at(1204, H1204, 1L)))).singleElement().asString()
        .startsWith("checkpoint of 2026-12-07T14:02:10Z signed by node-a says row 1,204 ended in bbbbbbbbbbbb…;"
            + " in the database it ends in dddddddddddd…");
  }

  @Test
  @DisplayName("a keyed chain that a checkpoint says began elsewhere is named")
  void keyedFromDiffers() {
    Audit.Verification db = new Audit.Verification(1204, H1204, null, List.of(), Map.of(1204L, H1204));
    assertThat(AuditCheck.compare(db, List.of(at(1204, H1204, 7L)))).containsExactly(
        "checkpoint of 2026-12-07T14:02:10Z signed by node-a says the keyed chain begins at row 7;"
            + " the database says no row is keyed");
  }

  @Test
  @DisplayName("checkpoints that agree with the database raise nothing")
  void agreeing() {
    Audit.Verification db = new Audit.Verification(1204, H1204, 1L, List.of(), Map.of(1150L, H1150, 1204L, H1204));
    assertThat(AuditCheck.compare(db, List.of(at(0, Audit.GENESIS, null), at(1150, H1150, 1L), at(1204, H1204, 1L))))
        .isEmpty();
  }
}
