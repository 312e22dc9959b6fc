package io.muster.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

/** {@link Db} for verticles: every transaction runs on a worker pool, never on an event loop. */
public final class AsyncDb {
  private final Db db;
  private final WorkerExecutor workers;

  public AsyncDb(Vertx vertx, Db db, int threads) {
    this.db = db;
    this.workers = vertx.createSharedWorkerExecutor("muster-db", threads);
  }

  public <T> Future<T> tx(Db.Work<T> work) {
    return workers.executeBlocking(() -> db.tx(work), false);
  }

  /** Runs blocking work (it may open its own transactions) on the same pool. */
  public <T> Future<T> run(java.util.concurrent.Callable<T> work) {
    return workers.executeBlocking(work, false);
  }

  public Db db() {
    return db;
  }
}
