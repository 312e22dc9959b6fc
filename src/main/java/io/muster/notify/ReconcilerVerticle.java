package io.muster.notify;

import io.muster.notify.domain.Notification;
import io.muster.store.AsyncDb;
import io.muster.store.JournalEvent;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link Reconciler} on every node, every {@link Reconciler#every}: claims the rows whose
 * delivery receipt is overdue, asks the provider about each on a worker, records and publishes what
 * it learns. A lookup that fails is simply asked again at the row's next turn.
 */
public final class ReconcilerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ReconcilerVerticle.class);
  private static final int BATCH = 50;

  private final Reconciler reconciler;
  private final SmsGateway sms;
  private final VoiceGateway voice;
  private final AsyncDb db;
  private WorkerExecutor askers;
  private long timer;
  private boolean running;

  public ReconcilerVerticle(Reconciler reconciler, SmsGateway sms, VoiceGateway voice, AsyncDb db) {
    this.reconciler = reconciler;
    this.sms = sms;
    this.voice = voice;
    this.db = db;
  }

  @Override
  public Future<?> start() {
    askers = vertx.createSharedWorkerExecutor("muster-reconcile", 2);
    timer = vertx.setPeriodic(reconciler.every().toMillis(), id -> tick());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return askers == null ? Future.succeededFuture() : askers.close();
  }

  private void tick() {
    if (running) {
      return;
    }
    running = true;
    db.run(() -> reconciler.claim(BATCH))
        .compose(rows -> Future.all(rows.stream().map(this::ask).toList()))
        .onFailure(t -> LOG.warn("reconciliation round failed: {}", t.toString()))
        .onComplete(ar -> running = false);
  }

  private Future<List<JournalEvent>> ask(Notification n) {
    return askers.executeBlocking(() -> reconciler.record(n, lookup(n)), false)
        .otherwise(t -> {
          LOG.info("notification {}: its status could not be looked up now ({}); asked again later", n.id(), t.toString());
          return List.of();
        });
  }

  private ProviderStatus lookup(Notification n) {
    return n.kind() == Notification.Kind.VOICE ? voice.callStatus(n.providerSid()) : sms.status(n.providerSid());
  }
}
