package io.muster.live;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * What other nodes' hubs said about the journal's end, checked against what this hub then read.
 * An announcement is judged only by a journal read that started after it came (an earlier read
 * may have started before the announced commit); one that announced more than the journal holds
 * is reported, at most once a minute per sender. No real node announces what it has not committed,
 * so such a message comes from a bug or from a member that should not be on the cluster.
 */
final class Announcements {
  static final long REPORT_EVERY_MS = 60_000;
  private static final int SENDERS_REMEMBERED = 256;

  private final LongSupplier millis;
  private final Map<String, Long> reported = new HashMap<>();
  private String sender;
  private long seq;
  private long judgedBy;

  Announcements(LongSupplier millis) {
    this.millis = millis;
  }

  /** A sender said the journal goes up to {@code seq}; {@code nextRead} is the number of the next read to start. */
  void heard(String sender, long seq, long nextRead) {
    if (this.sender == null || seq >= this.seq) {
      this.sender = sender;
      this.seq = seq;
      this.judgedBy = nextRead;
    }
  }

  /** Read number {@code read} found the journal ending at {@code head}: what to report, if anything. */
  Optional<String> judge(long read, long head) {
    if (sender == null || judgedBy > read) {
      return Optional.empty();
    }
    String who = sender;
    sender = null;
    return seq <= head ? Optional.empty() : report(who, "a bus message announced sequence " + seq
        + " which the journal does not have (it ends at " + head + "); ignored");
  }

  /** A message on the hint address that announced no sequence at all. */
  Optional<String> malformed(String sender) {
    return report(sender, "a bus message announced no sequence; ignored");
  }

  private Optional<String> report(String who, String what) {
    long now = millis.getAsLong();
    Long last = reported.get(who);
    if (last != null && now - last < REPORT_EVERY_MS) {
      return Optional.empty();
    }
    if (reported.size() >= SENDERS_REMEMBERED) {
      reported.clear();
    }
    reported.put(who, now);
    return Optional.of(what + " — is an untrusted member on the cluster network? (the message says it comes from node "
        + who + ")");
  }
}
