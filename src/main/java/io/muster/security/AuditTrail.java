package io.muster.security;

import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's writer on this node; it holds the audit key. It records API commands, sign-ins
 * and refusals, written in small batches (every {@code flushMs}, and at stop) so a request never
 * waits on the log's lock; and it audits the journal: after each batch of commands it appends one
 * row for every journal event committed since the last one audited, in journal order, resuming
 * where the log's head says (so a node that dies loses no event, and of several nodes doing the
 * same under the head's lock, each event is audited once). Business transactions never touch the
 * audit log.
 *
 * <p>Every {@value #CHECKPOINT_MS} ms when the log grew, at start and at stop, it signs a checkpoint
 * of the log's head and appends it to the checkpoint file and to the log (one INFO line).
 */
public final class AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
  static final long CHECKPOINT_MS = 10_000;
  private static final int COMMAND_BATCH = 1000;
  private static final int JOURNAL_BATCH = 500;

  private final AsyncDb db;
  private final Clock clock;
  private final AuditKey key;
  private final String node;
  private final Checkpoints checkpoints;
  private final ConcurrentLinkedQueue<Audit.Entry> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean checkpointing = new AtomicBoolean();
  /**
   * Checkpoints are taken one at a time under this lock, not the trail's own monitor: a checkpoint
   * waits on the database (up to the pool's timeout when it is down), and {@link #flush}, which
   * takes the monitor, runs on the event loop.
   */
  private final Object checkpointLock = new Object();
  /** The write under way (or done), and the one queued after it that has not taken its entries yet. */
  private Future<Void> running = Future.succeededFuture();
  private Future<Void> queued;
  private volatile Checkpoint latest;
  private Vertx vertx;
  private long flushTimer = -1;
  private long checkpointTimer = -1;

  public AuditTrail(AsyncDb db, Clock clock, AuditKey key, String node, Checkpoints checkpoints) {
    this.db = db;
    this.clock = clock;
    this.key = key;
    this.node = node;
    this.checkpoints = checkpoints;
  }

  /** Blocking, at start: anchors the keyed chain if no node has yet, audits the journal's backlog, takes a checkpoint. */
  public void open() {
    write(List.of());
    checkpoint(true);
  }

  public void start(Vertx vertx, long flushMs) {
    this.vertx = vertx;
    flushTimer = vertx.setPeriodic(flushMs, id -> flush());
    checkpointTimer = vertx.setPeriodic(CHECKPOINT_MS, id -> periodicCheckpoint());
  }

  public void record(Audit.Entry entry) {
    pending.add(entry);
  }

  /**
   * Writes what is pending now (commands recorded and journal events committed before this call);
   * completes when it is written. Writes run one at a time; calls made while one waits share it.
   */
  public synchronized Future<Void> flush() {
    if (queued != null) {
      return queued;
    }
    Promise<Void> done = Promise.promise();
    Future<Void> next = done.future();
    queued = next;
    running.onComplete(previous -> {
      List<Audit.Entry> batch;
      synchronized (this) {
        queued = null;
        running = next;
        batch = take();
      }
      db.run(() -> {
        write(batch);
        return null;
      }).<Void>mapEmpty().onComplete(done);
    });
    return next;
  }

  /**
   * Blocking, at stop: no more timed writes; lets a write under way finish, writes everything still
   * pending and takes a checkpoint when the log grew, so the last checkpoint covers the last row.
   */
  public void drain() {
    if (vertx != null) {
      vertx.cancelTimer(flushTimer);
      vertx.cancelTimer(checkpointTimer);
    }
    Future<Void> underWay;
    synchronized (this) {
      underWay = queued != null ? queued : running;
    }
    if (!Context.isOnEventLoopThread()) {
      try {
        underWay.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        LOG.warn("the audit write under way at stop did not finish: {}", e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    write(take());
    checkpoint(false);
  }

  /** The newest checkpoint this node signed (null before its first). */
  public Checkpoint latest() {
    return latest;
  }

  public AuditKey key() {
    return key;
  }

  /** Blocking: the whole check, against this node's checkpoint file. */
  public AuditCheck.Report verify() {
    return AuditCheck.verify(db.db(), key, List.of(checkpoints.file()));
  }

  private List<Audit.Entry> take() {
    List<Audit.Entry> batch = new ArrayList<>();
    for (Audit.Entry e; (e = pending.poll()) != null; ) {
      batch.add(e);
    }
    return batch;
  }

  /** Blocking: the commands, then the journal's events until none is left unaudited. */
  private void write(List<Audit.Entry> commands) {
    try {
      for (int from = 0; from < commands.size(); from += COMMAND_BATCH) {
        List<Audit.Entry> part = commands.subList(from, Math.min(commands.size(), from + COMMAND_BATCH));
        db.db().tx(c -> Audit.appendWithJournal(c, key.chain(), node, clock.instant(), part, 0));
      }
    } catch (RuntimeException e) {
      LOG.error("audit entries could not be written; retrying: {}", e.toString());
      pending.addAll(commands);
      throw e;
    }
    try {
      while (db.db().tx(Audit::behind)) {
        if (db.db().tx(c -> Audit.appendWithJournal(c, key.chain(), node, clock.instant(), List.of(), JOURNAL_BATCH))
            < JOURNAL_BATCH) {
          break;
        }
      }
    } catch (RuntimeException e) {
      LOG.error("journal events could not be audited; the next flush resumes: {}", e.toString());
      throw e;
    }
  }

  private void periodicCheckpoint() {
    if (checkpointing.compareAndSet(false, true)) {
      db.run(() -> checkpoint(false)).onComplete(ar -> {
        checkpointing.set(false);
        if (ar.failed()) {
          LOG.warn("audit checkpoint failed: {}", ar.cause().toString());
        }
      });
    }
  }

  /**
   * Blocking: signs the head, appends it to the file and logs it; unless {@code always}, only when
   * the log moved since this node's last one. A head that no longer extends that one is an alarm.
   */
  Checkpoint checkpoint(boolean always) {
    synchronized (checkpointLock) {
      return checkpointHeld(always);
    }
  }

  private Checkpoint checkpointHeld(boolean always) {
    Audit.Head head = db.db().tx(c -> Audit.head(c, false));
    Checkpoint last = latest;
    if (!always && last != null && last.seq() == head.seq() && last.hash().equals(head.hash())) {
      return last;
    }
    if (last != null) {
      Optional<String> then = db.db().tx(c -> Audit.hashAt(c, last.seq()));
      if (head.seq() < last.seq() || !then.orElse("").equals(last.hash())) {
        LOG.error("the audit log no longer extends this node's {}, which says {}: rows were removed or rewritten;"
            + " run audit-verify", last.describe(), last.says());
      }
    }
    Checkpoint checkpoint = Checkpoint.signed(head.seq(), head.hash(), head.keyedFrom(), clock.instant(), node, key);
    try {
      checkpoints.append(checkpoint);
    } catch (IOException e) {
      LOG.error("the audit checkpoint could not be written to {}: {}", checkpoints.file(), e.toString());
    }
    LOG.info("audit checkpoint {}", checkpoint.line());
    latest = checkpoint;
    return checkpoint;
  }
}
