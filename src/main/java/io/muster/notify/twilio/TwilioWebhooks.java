package io.muster.notify.twilio;

import io.muster.bus.Commands;
import io.muster.common.ErrorCode;
import io.muster.notify.NotifyAddresses;
import io.muster.web.Failures;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Map;

/**
 * Twilio's calls to Muster, after {@link TwilioWebhookAuth} has checked their signature: an inbound
 * SMS, a delivery status callback, a key pressed during a voice page. Each becomes a notify command
 * on behalf of the SMS provider; the answers are TwiML or an empty 204.
 */
public final class TwilioWebhooks {
  private static final long COMMAND_TIMEOUT_MS = 15_000;

  private final Vertx vertx;
  private final DeliveryOptions options = Commands.options(COMMAND_TIMEOUT_MS, "sms-provider");

  public TwilioWebhooks(Vertx vertx) {
    this.vertx = vertx;
  }

  /** {@code POST /webhooks/twilio/sms}. */
  public Handler<RoutingContext> inboundSms() {
    return ctx -> {
      Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
      if (params.get("MessageSid") == null || params.get("From") == null) {
        Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "MessageSid and From are required", "MessageSid");
        return;
      }
      vertx.eventBus().<JsonObject>request(NotifyAddresses.REPLY, body(params, null), options)
          .onSuccess(reply -> ctx.response().putHeader("content-type", "text/xml").end(Twiml.noReply()))
          .onFailure(t -> Failures.respond(ctx, t));
    };
  }

  /** {@code POST /webhooks/twilio/status?n=<notification id>}. */
  public Handler<RoutingContext> deliveryStatus() {
    return ctx -> {
      Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
      if (params.get("MessageSid") == null || params.get("MessageStatus") == null) {
        Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "MessageSid and MessageStatus are required", "MessageStatus");
        return;
      }
      vertx.eventBus().<JsonObject>request(NotifyAddresses.STATUS, body(params, ctx.request().getParam("n")), options)
          .onSuccess(reply -> ctx.response().setStatusCode(204).end())
          .onFailure(t -> Failures.respond(ctx, t));
    };
  }

  /** {@code POST /webhooks/twilio/voice?n=<notification id>}: answers TwiML that says what happened. */
  public Handler<RoutingContext> voiceKey() {
    return ctx -> {
      Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
      if (params.get("CallSid") == null) {
        Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "CallSid is required", "CallSid");
        return;
      }
      vertx.eventBus().<JsonObject>request(NotifyAddresses.VOICE, body(params, ctx.request().getParam("n")), options)
          .onSuccess(reply -> ctx.response().putHeader("content-type", "text/xml")
              .end(Twiml.afterKey("acknowledged".equals(reply.body().getString("outcome")))))
          .onFailure(t -> Failures.respond(ctx, t));
    };
  }

  private static JsonObject body(Map<String, String> params, String notificationId) {
    JsonObject body = new JsonObject(new HashMap<String, Object>(params));
    return notificationId == null ? body : body.put("n", notificationId);
  }
}
