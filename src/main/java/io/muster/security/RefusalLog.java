package io.muster.security;

import io.muster.store.Audit;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refusals that anyone can cause at no cost (no or bad credentials, a path that is not the API's,
 * a forged Twilio webhook, a spent websocket ticket) are counted, not written one by one: each
 * window ({@code MUSTER}'s {@code limits.refusalWindowSeconds}, a minute by default) adds one audit
 * row per address and kind of refusal, with the count and the last reason. A flood cannot fill
 * the log, and it is still there.
 */
public final class RefusalLog {
  private record Kind(String origin, String action, String outcome) { }

  private static final class Count {
    final Instant first;
    int count;
    String last;

    Count(Instant first) {
      this.first = first;
    }
  }

  private final AuditTrail audit;
  private final Clock clock;
  private final Map<Kind, Count> counts = new ConcurrentHashMap<>();

  public RefusalLog(AuditTrail audit, Clock clock) {
    this.audit = audit;
    this.clock = clock;
  }

  public void start(Vertx vertx, int windowSeconds) {
    vertx.setPeriodic(windowSeconds * 1000L, id -> flush());
  }

  public void refused(String origin, String action, String outcome, String reason) {
    Count c = counts.computeIfAbsent(new Kind(origin, action, outcome), k -> new Count(clock.instant()));
    synchronized (c) {
      c.count++;
      c.last = reason;
    }
  }

  /** Hands the window's counts to the audit trail (also at stop). */
  public void flush() {
    Instant now = clock.instant();
    for (Kind kind : counts.keySet()) {
      Count c = counts.remove(kind);
      if (c != null) {
        synchronized (c) {
          audit.record(new Audit.Entry("anonymous", kind.origin(), kind.action(), null, kind.outcome(),
              c.count + " refused from " + c.first + " to " + now + "; last: " + c.last));
        }
      }
    }
  }
}
