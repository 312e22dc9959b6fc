package io.muster.sim;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@link Faults} over HTTP, under {@code /sim/api/faults}; every answer is the whole fault state with
 * the create counters:
 *
 * <pre>
 * GET    /sim/api/faults                    the state
 * DELETE /sim/api/faults                    reset: a healthy service with the configured delays
 * POST   /sim/api/faults/outage             {"status": 503}
 * DELETE /sim/api/faults/outage
 * POST   /sim/api/faults/fail-next          {"count": 2, "status": 429, "code": 20429}   (code optional)
 * DELETE /sim/api/faults/fail-next
 * POST   /sim/api/faults/hang               {"hang": true}   (no body: true)
 * DELETE /sim/api/faults/hang
 * POST   /sim/api/faults/calls/hang         {"hang": true}   (no body: true) call creates go unanswered
 * DELETE /sim/api/faults/calls/hang
 * POST   /sim/api/faults/numbers/{e164}     {"code": 30003}
 * DELETE /sim/api/faults/numbers/{e164}
 * POST   /sim/api/faults/callbacks          {"drop": true}   (no body: true) status callbacks are lost
 * DELETE /sim/api/faults/callbacks
 * POST   /sim/api/faults/delays             {"sentMs": 100, "deliveredMs": 2000}
 * DELETE /sim/api/faults/delays             back to the configured delays
 * </pre>
 *
 * A bad request answers 400 with {@code {"error": {"code", "message", "field"}}}.
 */
final class FaultsApi {

  static final String PATH = "/faults";

  private final Faults faults;
  private final MessageStore store;
  private final long configuredSentMs;
  private final long configuredDeliveredMs;

  FaultsApi(Faults faults, MessageStore store, SimulatorConfig config) {
    this.faults = faults;
    this.store = store;
    this.configuredSentMs = config.sentDelayMs();
    this.configuredDeliveredMs = config.deliveredDelayMs();
  }

  /** Adds the routes to the {@code /sim/api} router. */
  void addRoutes(Router router) {
    router.route(PATH + "*").handler(BodyHandler.create(false).setBodyLimit(4 * 1024));
    router.get(PATH).handler(this::state);
    router.delete(PATH).handler(ctx -> change(ctx, f -> f.reset()));
    router.post(PATH + "/outage").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.outage(requiredStatus(body)))));
    router.delete(PATH + "/outage").handler(ctx -> change(ctx, Faults::endOutage));
    router.post(PATH + "/fail-next").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.failNext(requiredInt(body, "count"), requiredStatus(body), optionalInt(body, "code")))));
    router.delete(PATH + "/fail-next").handler(ctx -> change(ctx, f -> f.failNext(0, 500, null)));
    router.post(PATH + "/hang").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.hang(hangValue(body)))));
    router.delete(PATH + "/hang").handler(ctx -> change(ctx, f -> f.hang(false)));
    router.post(PATH + "/calls/hang").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.hangCalls(hangValue(body)))));
    router.delete(PATH + "/calls/hang").handler(ctx -> change(ctx, f -> f.hangCalls(false)));
    router.post(PATH + "/numbers/:number").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.numberFails(number(ctx), requiredInt(body, "code")))));
    router.delete(PATH + "/numbers/:number").handler(ctx -> change(ctx, f -> f.numberOk(number(ctx))));
    router.post(PATH + "/callbacks").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.dropCallbacks(flag(body, "drop")))));
    router.delete(PATH + "/callbacks").handler(ctx -> change(ctx, f -> f.dropCallbacks(false)));
    router.post(PATH + "/delays").handler(ctx -> withBody(ctx, body ->
        change(ctx, f -> f.delays(requiredLong(body, "sentMs"), requiredLong(body, "deliveredMs")))));
    router.delete(PATH + "/delays").handler(ctx -> change(ctx, f -> f.delays(configuredSentMs, configuredDeliveredMs)));
  }

  private void state(RoutingContext ctx) {
    SimApiJson.json(ctx, 200, stateJson());
  }

  private JsonObject stateJson() {
    return faults.toJson().put("createAttempts", store.attemptCount()).put("createCount", store.createdCount());
  }

  private void change(RoutingContext ctx, Consumer<Faults> change) {
    try {
      change.accept(faults);
    } catch (BadField e) {
      SimApiJson.error(ctx, 400, "invalid", e.getMessage(), e.field);
      return;
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() == null ? "invalid value" : e.getMessage();
      SimApiJson.error(ctx, 400, "invalid", message, message.contains(":") ? message.substring(0, message.indexOf(':')) : null);
      return;
    }
    SimApiJson.json(ctx, 200, stateJson());
  }

  private static void withBody(RoutingContext ctx, Consumer<JsonObject> then) {
    Optional<JsonObject> body = SimApiJson.body(ctx);
    if (body.isEmpty()) {
      SimApiJson.error(ctx, 400, "bad_json", "The body must be a JSON object", "body");
    } else {
      then.accept(body.get());
    }
  }

  private static String number(RoutingContext ctx) {
    return Phones.parse(ctx.pathParam("number")).orElseThrow(() -> new BadField("number", "number: not an E.164 number"));
  }

  private static int requiredStatus(JsonObject body) {
    int status = requiredInt(body, "status");
    if (status < 400 || status > 599) {
      throw new BadField("status", "status: must be a 4xx or 5xx HTTP status");
    }
    return status;
  }

  private static int requiredInt(JsonObject body, String field) {
    Integer value = optionalInt(body, field);
    if (value == null) {
      throw new BadField(field, field + ": a whole number is required");
    }
    return value;
  }

  private static Integer optionalInt(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
      return n.intValue();
    }
    throw new BadField(field, field + ": must be a whole number");
  }

  private static long requiredLong(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    throw new BadField(field, field + ": a whole number of milliseconds is required (negative: never)");
  }

  /** {@code "hang"} as given; absent means on. */
  private static boolean hangValue(JsonObject body) {
    return flag(body, "hang");
  }

  /** A boolean field as given; absent means on. */
  private static boolean flag(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return true;
    }
    if (value instanceof Boolean on) {
      return on;
    }
    throw new BadField(field, field + ": must be true or false");
  }

  /** A request field that cannot be used. */
  private static final class BadField extends IllegalArgumentException {
    private final String field;

    BadField(String field, String message) {
      super(message);
      this.field = field;
    }
  }
}
