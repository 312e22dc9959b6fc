package io.muster.sim;

import io.muster.common.Segments;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The phones' side of the simulator, for the phone view and for tests: which numbers received
 * messages, each one's conversation, and replying as that phone (which reaches the application as a
 * signed inbound-SMS webhook, as from Twilio). Mounted under {@code /sim/api}. A reply goes only to
 * the inbound webhook URL the simulator was configured with ({@link SmsSimulator#setInboundWebhookUrl}),
 * never to one named in the request: the simulator signs it with the account's token.
 */
final class PhoneApi {

  static final String MOUNT = "/sim/api";
  private static final Logger LOG = LoggerFactory.getLogger(PhoneApi.class);

  private final SimulatorConfig config;
  private final MessageStore store;
  private final Webhooks webhooks;
  private final Supplier<String> inboundWebhookUrl;
  private final Supplier<String> defaultSender;

  PhoneApi(SimulatorConfig config, MessageStore store, Webhooks webhooks,
      Supplier<String> inboundWebhookUrl, Supplier<String> defaultSender) {
    this.config = config;
    this.store = store;
    this.webhooks = webhooks;
    this.inboundWebhookUrl = inboundWebhookUrl;
    this.defaultSender = defaultSender;
  }

  /** Adds the routes, relative to {@link #MOUNT}, to the {@code /sim/api} router. */
  void addRoutes(Router router) {
    router.get("/phones").handler(this::phones);
    router.get("/phones/:number/messages").handler(this::conversation);
    router.post("/phones/:number/reply").handler(BodyHandler.create(false).setBodyLimit(16 * 1024)).handler(this::reply);
  }

  private void phones(RoutingContext ctx) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    store.matching(SimMessage::outbound).forEach(m -> counts.merge(m.to(), 1, Integer::sum));
    JsonArray phones = new JsonArray();
    counts.forEach((number, count) -> phones.add(new JsonObject().put("number", number).put("count", count)));
    json(ctx, 200, new JsonObject().put("phones", phones));
  }

  private void conversation(RoutingContext ctx) {
    Optional<String> number = Phones.parse(ctx.pathParam("number"));
    if (number.isEmpty()) {
      error(ctx, 400, "bad_number", "Not an E.164 number", "number");
      return;
    }
    JsonArray messages = new JsonArray();
    conversationOf(number.get()).forEach(m -> messages.add(entry(m)));
    json(ctx, 200, new JsonObject().put("number", number.get()).put("messages", messages));
  }

  private void reply(RoutingContext ctx) {
    Optional<String> number = Phones.parse(ctx.pathParam("number"));
    Optional<JsonObject> request = jsonBody(ctx);
    String body = request.flatMap(r -> text(r, "body")).orElse("");
    String url = inboundWebhookUrl.get();
    if (number.isEmpty()) {
      error(ctx, 400, "bad_number", "Not an E.164 number", "number");
    } else if (body.isEmpty()) {
      error(ctx, 400, "missing_body", "A reply needs a non-empty body", "body");
    } else if (url == null || url.isBlank()) {
      error(ctx, 409, "no_webhook", "No inbound webhook URL is configured for the simulator", "inboundWebhookUrl");
    } else {
      deliverReply(ctx, replyFrom(number.get(), body), url);
    }
  }

  private void deliverReply(RoutingContext ctx, SimMessage reply, String url) {
    store.addReply(reply);
    webhooks.post(url, inboundParams(reply))
        .onSuccess(status -> json(ctx, 200, new JsonObject().put("messageSid", reply.sid()).put("webhookStatus", status)))
        .onFailure(e -> {
          LOG.info("Inbound webhook for {} failed: {}", reply.sid(), e.toString());
          error(ctx, 502, "webhook_failed", "The inbound webhook could not be delivered: " + e.getMessage(), "inboundWebhookUrl");
        });
  }

  /** A reply goes to the number the phone last heard from, as on a real phone. */
  private SimMessage replyFrom(String phone, String body) {
    String to = lastSenderTo(phone).orElseGet(defaultSender);
    Instant now = Instant.now();
    return new SimMessage(TwilioApi.newSid(), config.accountSid(), SimMessage.INBOUND, phone, to, null, body,
        "received", null, Segments.count(body), now, now, now, System.nanoTime());
  }

  private Optional<String> lastSenderTo(String phone) {
    List<SimMessage> received = store.matching(m -> m.outbound() && phone.equals(m.to()));
    return received.isEmpty() ? Optional.empty() : Optional.of(received.get(received.size() - 1).from());
  }

  private List<SimMessage> conversationOf(String phone) {
    return store.matching(m -> m.outbound() ? phone.equals(m.to()) : phone.equals(m.from()));
  }

  private static Map<String, String> inboundParams(SimMessage reply) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", reply.sid());
    params.put("SmsMessageSid", reply.sid());
    params.put("SmsSid", reply.sid());
    params.put("AccountSid", reply.accountSid());
    params.put("From", reply.from());
    params.put("To", reply.to());
    params.put("Body", reply.body());
    params.put("NumMedia", "0");
    params.put("NumSegments", String.valueOf(reply.numSegments()));
    params.put("SmsStatus", "received");
    params.put("ApiVersion", TwilioJson.API_VERSION);
    return params;
  }

  private static JsonObject entry(SimMessage m) {
    return new JsonObject()
        .put("sid", m.sid())
        .put("direction", m.direction())
        .put("from", m.from())
        .put("to", m.to())
        .put("body", m.body())
        .put("status", m.status())
        .put("at", m.dateCreated().toString());
  }

  private static Optional<JsonObject> jsonBody(RoutingContext ctx) {
    try {
      return Optional.ofNullable(ctx.body().asJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(JsonObject json, String key) {
    return json.getValue(key) instanceof String value ? Optional.of(value) : Optional.empty();
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private static void error(RoutingContext ctx, int status, String code, String message, String field) {
    JsonObject error = new JsonObject().put("code", code).put("message", message).put("field", field);
    json(ctx, status, new JsonObject().put("error", error));
  }
}
