package io.muster.security;

import io.muster.store.Audit;
import io.muster.store.AuditWalk;
import io.muster.store.Db;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code audit-verify}: the keyed chain up to its head (see {@link Audit#verify}), then the
 * checkpoints kept outside the database. The chain shows every edited, inserted or deleted row; only
 * a checkpoint can show rows removed from the end together with the head moved back, or a log
 * rewritten since a checkpoint was taken.
 */
public final class AuditCheck {
  /** Everything found: the chain's walk, every problem, what was compared, the newest good checkpoint. */
  public record Report(Audit.Verification chain, List<String> problems, List<String> notes, Checkpoint newest,
                       int checkpoints) {
    public boolean intact() {
      return problems.isEmpty();
    }
  }

  private AuditCheck() {
  }

  public static Report verify(Db db, AuditKey key, List<Path> files) {
    List<String> problems = new ArrayList<>();
    List<Checkpoint> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (Path file : files) {
      read(file, key, good, bad, problems);
    }
    Set<Long> wanted = new HashSet<>();
    good.forEach(c -> wanted.add(c.seq()));
    Audit.Verification chain = Audit.verify(db, key.chain(), wanted);
    problems.addAll(0, chain.problems());
    problems.addAll(compare(chain, good));
    if (!bad.isEmpty()) {
      problems.add(bad.get(0) + (bad.size() > 1 ? " (and " + (bad.size() - 1) + " more such lines)" : ""));
    }
    Checkpoint newest = good.stream().max(Comparator.comparingLong(Checkpoint::seq)
        .thenComparing(Checkpoint::at)).orElse(null);
    String note = newest == null
        ? "no checkpoints in " + files + ": rows removed from the end together with the head cannot be seen without them"
        : "compared with " + AuditWalk.n(good.size()) + " checkpoints in " + files + "; the newest, " + newest.describe()
            + ", says " + newest.says();
    return new Report(chain, problems, List.of(note), newest, good.size());
  }

  /** The file's checkpoints: signed with this key ({@code good}), or not ({@code bad}, where and why). */
  private static void read(Path file, AuditKey key, List<Checkpoint> good, List<String> bad, List<String> problems) {
    try {
      for (Checkpoints.Line line : Checkpoints.read(file)) {
        if (line.error() != null) {
          bad.add(line.where() + " is " + line.error());
        } else if (!line.checkpoint().verifies(key.publicKey())) {
          bad.add(line.where() + " is not a checkpoint of this audit key: its signature does not verify");
        } else {
          good.add(line.checkpoint());
        }
      }
    } catch (IOException e) {
      problems.add("the checkpoint file " + file + " cannot be read: " + e);
    }
  }

  /** What the (signature-checked) checkpoints say that the database no longer does. */
  static List<String> compare(Audit.Verification chain, List<Checkpoint> checkpoints) {
    List<String> problems = new ArrayList<>();
    List<Checkpoint> beyond = new ArrayList<>();
    List<Checkpoint> differ = new ArrayList<>();
    Checkpoint keyed = null;
    for (Checkpoint c : checkpoints) {
      if (c.seq() > chain.rows()) {
        beyond.add(c);
      } else if (c.seq() > 0 && !c.hash().equals(chain.hashesAt().get(c.seq()))) {
        differ.add(c);
      }
      if (keyed == null && c.keyedFrom() != null && !c.keyedFrom().equals(chain.keyedFrom())) {
        keyed = c;
      }
    }
    if (!beyond.isEmpty()) {
      Checkpoint c = beyond.stream().max(Comparator.comparingLong(Checkpoint::seq)).orElseThrow();
      problems.add(c.describe() + " says the log had " + c.says() + "; the database has " + AuditWalk.n(chain.rows())
          + ": " + AuditWalk.rows(chain.rows() + 1, c.seq()) + (chain.rows() + 1 == c.seq() ? " was" : " were")
          + " removed from its end" + more(beyond.size()));
    }
    if (!differ.isEmpty()) {
      Checkpoint c = differ.stream().min(Comparator.comparingLong(Checkpoint::seq)).orElseThrow();
      String now = chain.hashesAt().get(c.seq());
      problems.add(c.describe() + " says row " + AuditWalk.n(c.seq()) + " ended in " + AuditWalk.shortHash(c.hash())
          + "; in the database it " + (now == null ? "is missing" : "ends in " + AuditWalk.shortHash(now))
          + ": the log up to row " + AuditWalk.n(c.seq()) + " was rewritten or cut back and written anew"
          + more(differ.size()));
    }
    if (keyed != null) {
      problems.add(keyed.describe() + " says the keyed chain begins at row " + AuditWalk.n(keyed.keyedFrom())
          + "; the database says " + (chain.keyedFrom() == null ? "no row is keyed" : "row " + AuditWalk.n(chain.keyedFrom())));
    }
    return problems;
  }

  /** " (so do 3 more checkpoints)" when more than one says so. */
  private static String more(int count) {
    return count > 1 ? " (so do " + AuditWalk.n(count - 1) + " more checkpoint" + (count > 2 ? "s" : "") + ")" : "";
  }
}
