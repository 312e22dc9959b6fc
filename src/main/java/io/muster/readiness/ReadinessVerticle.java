package io.muster.readiness;

import io.muster.app.Failures;
import io.muster.incident.IncidentAddresses;
import io.muster.interop.HaveDocument;
import io.muster.store.AsyncDb;
import io.muster.store.JournalBus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/** Answers the readiness commands on this node; updates are published after they are committed. */
public final class ReadinessVerticle extends VerticleBase {
  private final ReadinessService readiness;
  private final AsyncDb db;

  public ReadinessVerticle(ReadinessService readiness, AsyncDb db) {
    this.readiness = readiness;
    this.db = db;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> update = vertx.eventBus().localConsumer(ReadinessAddresses.UPDATE, this::update);
    MessageConsumer<JsonObject> get = vertx.eventBus().localConsumer(ReadinessAddresses.GET, this::get);
    MessageConsumer<JsonObject> region = vertx.eventBus().localConsumer(ReadinessAddresses.REGION, this::region);
    MessageConsumer<JsonObject> have = vertx.eventBus().localConsumer(ReadinessAddresses.HAVE, this::have);
    // Overdue values are looked for every minute; the reminder rows make each reminder once per cluster.
    vertx.setPeriodic(60_000, id -> db.run(readiness::remindOverdue)
        .onSuccess(events -> JournalBus.publish(vertx.eventBus(), events)));
    return Future.all(update.completion(), get.completion(), region.completion(), have.completion());
  }

  private void update(Message<JsonObject> message) {
    String actor = message.headers().get(IncidentAddresses.ACTOR);
    JsonObject body = message.body();
    db.run(() -> readiness.update(body.getString("id"), ReadinessViews.changes(body.getJsonObject("update")), actor))
        .onSuccess(updated -> {
          JournalBus.publish(vertx.eventBus(), updated.events());
          message.reply(ReadinessViews.of(updated.board()));
        })
        .onFailure(t -> Failures.reply(message, t));
  }

  private void get(Message<JsonObject> message) {
    db.run(() -> readiness.board(message.body().getString("id")))
        .onSuccess(board -> message.reply(ReadinessViews.of(board)))
        .onFailure(t -> Failures.reply(message, t));
  }

  private void have(Message<JsonObject> message) {
    String id = message.body().getString("id");
    db.run(() -> HaveDocument.toXml(id == null ? readiness.region() : java.util.List.of(readiness.board(id)),
            java.time.Instant.now()))
        .onSuccess(xml -> message.reply(new JsonObject().put("xml", xml)))
        .onFailure(t -> Failures.reply(message, t));
  }

  private void region(Message<JsonObject> message) {
    db.run(readiness::region)
        .onSuccess(all -> message.reply(ReadinessViews.region(all)))
        .onFailure(t -> Failures.reply(message, t));
  }
}
