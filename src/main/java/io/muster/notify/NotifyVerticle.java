package io.muster.notify;

import io.muster.bus.Commands;
import io.muster.common.ErrorCode;
import io.muster.common.Rejection;
import io.muster.store.AsyncDb;
import io.muster.store.StoreException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/** Answers the commands made of Twilio webhooks: an inbound reply, a delivery status. */
public final class NotifyVerticle extends VerticleBase {
  private final Inbox inbox;
  private final AsyncDb db;

  public NotifyVerticle(Inbox inbox, AsyncDb db) {
    this.inbox = inbox;
    this.db = db;
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> reply = vertx.eventBus().localConsumer(NotifyAddresses.REPLY, this::reply);
    MessageConsumer<JsonObject> status = vertx.eventBus().localConsumer(NotifyAddresses.STATUS, this::status);
    MessageConsumer<JsonObject> voice = vertx.eventBus().localConsumer(NotifyAddresses.VOICE, this::voice);
    return Future.all(reply.completion(), status.completion(), voice.completion());
  }

  private void reply(Message<JsonObject> message) {
    JsonObject f = message.body();
    db.run(() -> inbox.reply(f.getString("MessageSid"), f.getString("From"), f.getString("Body", "")))
        .onSuccess(recorded -> message.reply(new JsonObject().put("outcome", recorded.outcome())))
        .onFailure(t -> Commands.fail(message, unrecorded(t)));
  }

  private void voice(Message<JsonObject> message) {
    JsonObject f = message.body();
    db.run(() -> inbox.voiceKey(f.getString("n"), f.getString("CallSid"), f.getString("Digits")))
        .onSuccess(recorded -> message.reply(new JsonObject().put("outcome", recorded.outcome())))
        .onFailure(t -> Commands.fail(message, unrecorded(t)));
  }

  private void status(Message<JsonObject> message) {
    JsonObject f = message.body();
    Integer errorCode = parseCode(f.getString("ErrorCode"));
    db.run(() -> inbox.status(f.getString("n"), f.getString("MessageSid"), f.getString("MessageStatus"), errorCode))
        .onSuccess(events -> message.reply(new JsonObject().put("changed", !events.isEmpty())))
        .onFailure(t -> Commands.fail(message, unrecorded(t)));
  }

  /**
   * A webhook that could not be recorded because the database failed answers 503, not 500: the
   * provider may try again, and nothing is wrong with the request. A delivery status lost this
   * way is looked up later anyway ({@link Reconciler}).
   */
  private static Throwable unrecorded(Throwable t) {
    return t instanceof StoreException
        ? new Rejection(ErrorCode.UNAVAILABLE, null, "the database is not available; try again") : t;
  }

  private static Integer parseCode(String code) {
    try {
      return code == null || code.isBlank() ? null : Integer.valueOf(code.strip());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
