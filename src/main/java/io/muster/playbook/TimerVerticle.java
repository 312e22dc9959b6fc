package io.muster.playbook;

import io.muster.store.AsyncDb;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fires due playbook timers on this node: polls, leases, fires one by one on a worker. */
public final class TimerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TimerVerticle.class);

  private final PlaybookTimers timers;
  private final AsyncDb db;
  private final long pollMs;
  private boolean running;

  public TimerVerticle(PlaybookTimers timers, AsyncDb db, long pollMs) {
    this.timers = timers;
    this.db = db;
    this.pollMs = pollMs;
  }

  @Override
  public Future<?> start() {
    vertx.setPeriodic(pollMs, id -> poll());
    return Future.succeededFuture();
  }

  private void poll() {
    if (running) {
      return;
    }
    running = true;
    db.run(timers::lease)
        .compose(ids -> {
          Future<Void> chain = Future.succeededFuture();
          for (String id : ids) {
            chain = chain.compose(v -> db.run(() -> timers.fire(id))
                .recover(t -> {
                  LOG.warn("timer {} did not fire: {}", id, t.toString());
                  return Future.succeededFuture();
                }).mapEmpty());
          }
          return chain;
        })
        .onFailure(t -> LOG.warn("timer poll failed: {}", t.toString()))
        .onComplete(ar -> running = false);
  }
}
