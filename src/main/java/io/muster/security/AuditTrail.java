package io.muster.security;

import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records API commands, sign-ins and refusals in the audit log. Entries are written in small
 * batches (every {@code flushMs}, and at stop) so a request never waits on the log's lock; the
 * state changes a command makes are audited in its own transaction by the journal.
 */
public final class AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

  private final AsyncDb db;
  private final Clock clock;
  private final ConcurrentLinkedQueue<Audit.Entry> pending = new ConcurrentLinkedQueue<>();
  private boolean flushing;

  public AuditTrail(AsyncDb db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  public void start(Vertx vertx, long flushMs) {
    vertx.setPeriodic(flushMs, id -> flush());
  }

  public void record(Audit.Entry entry) {
    pending.add(entry);
  }

  /** Writes what is pending; runs one batch at a time. */
  public synchronized Future<Void> flush() {
    if (flushing || pending.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Audit.Entry> batch = new ArrayList<>();
    for (Audit.Entry e; batch.size() < 1000 && (e = pending.poll()) != null; ) {
      batch.add(e);
    }
    flushing = true;
    return db.tx(c -> {
      Audit.append(c, clock.instant(), batch);
      return null;
    }).<Void>mapEmpty().onComplete(ar -> {
      synchronized (this) {
        flushing = false;
      }
      if (ar.failed()) {
        LOG.error("audit entries could not be written; retrying: {}", ar.cause().toString());
        pending.addAll(batch);
      }
    });
  }

  /** Blocking: writes everything still pending (at stop). */
  public void drain() {
    List<Audit.Entry> rest = new ArrayList<>(pending);
    pending.clear();
    if (!rest.isEmpty()) {
      db.db().tx(c -> {
        Audit.append(c, clock.instant(), rest);
        return null;
      });
    }
  }
}
