package io.muster.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Numbers the journal's committed provisional rows ({@link Journal#sequence}) for the writers of
 * this node on PostgreSQL (on H2, see {@link #commitNumbered}): a writer that appended waits, after
 * its commit, until a pass that began after that commit has finished. One pass at a time per node;
 * writers that commit while it runs share the next one, so under load one pass (one take of the
 * head's lock) numbers many transactions. Each pass's numbered events go to the listener, in order,
 * before the next pass begins. Blocking.
 */
final class Sequencer {
  private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);
  private static final int BATCH = 1000;

  private final Db db;
  private final Object inTransaction = new Object();
  private volatile Consumer<List<JournalEvent>> listener = events -> { };
  /** Passes begun and the newest one that finished with nothing left to number. */
  private long begun;
  private long finished;
  private boolean running;

  Sequencer(Db db) {
    this.db = db;
  }

  void listener(Consumer<List<JournalEvent>> listener) {
    this.listener = listener;
  }

  /**
   * H2: numbers the events of the caller's transaction in it, then commits it and hands them to the
   * listener, one such commit at a time. An embedded H2 database has one node, so this lock (and the
   * head's row lock) is only ever waited on by this node's writers, for the length of a commit.
   */
  void commitNumbered(Connection c) throws SQLException {
    synchronized (inTransaction) {
      List<JournalEvent> numbered = new ArrayList<>();
      List<JournalEvent> batch;
      do {
        batch = Journal.sequence(c, BATCH);
        numbered.addAll(batch);
      } while (batch.size() == BATCH);
      c.commit();
      if (!numbered.isEmpty()) {
        try {
          listener.accept(numbered);
        } catch (RuntimeException e) {
          LOG.warn("journal events committed and numbered, not published here (a poll reads them): {}", e.toString());
        }
      }
    }
  }

  /**
   * Returns once what was committed before the call is numbered. When the pass fails (the database
   * is unreachable) it logs and returns: what was committed stays committed, and a later pass (the
   * next write's, or the periodic one) numbers it.
   */
  void flush() {
    long ticket;
    long pass;
    synchronized (this) {
      ticket = begun;
      while (running && finished <= ticket) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (finished > ticket) {
        return;
      }
      running = true;
      pass = ++begun;
    }
    boolean done = false;
    try {
      List<JournalEvent> numbered;
      do {
        numbered = db.tx(c -> Journal.sequence(c, BATCH));
        if (!numbered.isEmpty()) {
          listener.accept(numbered);
        }
      } while (numbered.size() == BATCH);
      done = true;
    } catch (RuntimeException e) {
      LOG.warn("journal events committed but not yet numbered; a later pass will: {}", e.toString());
    } finally {
      synchronized (this) {
        running = false;
        if (done) {
          finished = pass;
        }
        notifyAll();
      }
    }
  }
}
