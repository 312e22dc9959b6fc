package io.muster.readiness;

import io.muster.bus.Commands;
import io.muster.readiness.domain.FacilityReadiness;
import io.muster.store.AsyncDb;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Answers the readiness commands on this node. Updates are written in batches, one batch at a time,
 * and each is answered after its batch is committed.
 */
public final class ReadinessVerticle extends VerticleBase {
  /** At most this many updates in one transaction, so that no batch holds its facilities' locks for long. */
  private static final int MAX_BATCH = 200;

  private record Queued(ReadinessService.Request request, Message<JsonObject> message) { }

  private final ReadinessService readiness;
  private final AsyncDb db;
  private final Deque<Queued> queued = new ArrayDeque<>();
  /** A batch is being written; the next waits for it. */
  private boolean writing;

  /** An EDXL-HAVE document of facilities' boards, as of an instant (written by the interop feature). */
  @FunctionalInterface
  public interface HaveWriter {
    String write(java.util.List<FacilityReadiness> boards, java.time.Instant at);
  }

  private final HaveWriter have;

  public ReadinessVerticle(ReadinessService readiness, AsyncDb db, HaveWriter have) {
    this.readiness = readiness;
    this.db = db;
    this.have = have;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> update = vertx.eventBus().localConsumer(ReadinessAddresses.UPDATE, this::update);
    MessageConsumer<JsonObject> get = vertx.eventBus().localConsumer(ReadinessAddresses.GET, this::get);
    MessageConsumer<JsonObject> region = vertx.eventBus().localConsumer(ReadinessAddresses.REGION, this::region);
    MessageConsumer<JsonObject> have = vertx.eventBus().localConsumer(ReadinessAddresses.HAVE, this::have);
    // Overdue values are looked for every minute; the reminder rows make each reminder once per cluster.
    vertx.setPeriodic(60_000, id -> db.run(readiness::remindOverdue));
    return Future.all(update.completion(), get.completion(), region.completion(), have.completion());
  }

  /**
   * Queues the update; the updates that arrive while a batch is being written go together in the
   * next one, so that one transaction (one journal append, one commit) carries many of them.
   */
  private void update(Message<JsonObject> message) {
    ReadinessService.Request request;
    try {
      JsonObject body = message.body();
      request = new ReadinessService.Request(body.getString("id"),
          ReadinessViews.changes(body.getJsonObject("update")), message.headers().get(Commands.ACTOR));
    } catch (RuntimeException e) {
      Commands.fail(message, e);
      return;
    }
    queued.add(new Queued(request, message));
    writeNext();
  }

  private void writeNext() {
    if (writing || queued.isEmpty()) {
      return;
    }
    writing = true;
    List<Queued> batch = new ArrayList<>();
    while (!queued.isEmpty() && batch.size() < MAX_BATCH) {
      batch.add(queued.poll());
    }
    db.run(() -> readiness.updateAll(batch.stream().map(Queued::request).toList()))
        .onComplete(ar -> {
          writing = false;
          if (ar.succeeded()) {
            answer(batch, ar.result());
          } else {
            batch.forEach(q -> Commands.fail(q.message(), ar.cause()));
          }
          writeNext();
        });
  }

  /** Answers each update of the committed batch. */
  private void answer(List<Queued> batch, List<ReadinessService.Outcome> outcomes) {
    for (int i = 0; i < batch.size(); i++) {
      ReadinessService.Outcome o = outcomes.get(i);
      if (o.failure() != null) {
        Commands.fail(batch.get(i).message(), o.failure());
      } else {
        batch.get(i).message().reply(ReadinessViews.of(o.updated().board()));
      }
    }
  }

  private void get(Message<JsonObject> message) {
    db.run(() -> readiness.board(message.body().getString("id")))
        .onSuccess(board -> message.reply(ReadinessViews.of(board)))
        .onFailure(t -> Commands.fail(message, t));
  }

  private void have(Message<JsonObject> message) {
    String id = message.body().getString("id");
    db.run(() -> have.write(id == null ? readiness.region() : java.util.List.of(readiness.board(id)),
            java.time.Instant.now()))
        .onSuccess(xml -> message.reply(new JsonObject().put("xml", xml)))
        .onFailure(t -> Commands.fail(message, t));
  }

  private void region(Message<JsonObject> message) {
    db.run(readiness::region)
        .onSuccess(all -> message.reply(ReadinessViews.region(all)))
        .onFailure(t -> Commands.fail(message, t));
  }
}
