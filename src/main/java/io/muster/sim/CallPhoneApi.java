package io.muster.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;

/**
 * The phones' side of simulated calls, for the phone view and for tests, under {@code /sim/api}:
 *
 * <pre>
 * GET  /sim/api/calls                      every call, oldest first
 * GET  /sim/api/calls/{callSid}            one call
 * GET  /sim/api/phones/{e164}/calls        the calls to one phone, oldest first
 * POST /sim/api/calls/{callSid}/press      {"digits": "1"}: press keys; answers {"webhookStatus": N, "call": {...}}
 * POST /sim/api/calls/{callSid}/hangup     hang up; answers {"call": {...}}
 * </pre>
 */
final class CallPhoneApi {

  private final CallStore calls;
  private final CallFlow flow;

  CallPhoneApi(CallStore calls, CallFlow flow) {
    this.calls = calls;
    this.flow = flow;
  }

  /** Adds the routes to the {@code /sim/api} router. */
  void addRoutes(Router router) {
    router.get("/calls").handler(ctx -> list(ctx, calls.matching(c -> true)));
    router.get("/calls/:sid").handler(this::one);
    router.get("/phones/:number/calls").handler(this::ofPhone);
    router.post("/calls/:sid/press").handler(BodyHandler.create(false).setBodyLimit(4 * 1024)).handler(this::press);
    router.post("/calls/:sid/hangup").handler(this::hangUp);
  }

  private void one(RoutingContext ctx) {
    calls.get(ctx.pathParam("sid")).ifPresentOrElse(
        call -> SimApiJson.json(ctx, 200, new JsonObject().put("call", entry(call))),
        () -> SimApiJson.error(ctx, 404, "not_found", "No call " + ctx.pathParam("sid"), "callSid"));
  }

  private void ofPhone(RoutingContext ctx) {
    Optional<String> number = Phones.parse(ctx.pathParam("number"));
    if (number.isEmpty()) {
      SimApiJson.error(ctx, 400, "bad_number", "Not an E.164 number", "number");
      return;
    }
    JsonArray entries = new JsonArray();
    calls.matching(c -> number.get().equals(c.to())).forEach(c -> entries.add(entry(c)));
    SimApiJson.json(ctx, 200, new JsonObject().put("number", number.get()).put("calls", entries));
  }

  private void press(RoutingContext ctx) {
    Optional<JsonObject> body = SimApiJson.body(ctx);
    Object digits = body.map(b -> b.getValue("digits")).orElse(null);
    String sid = ctx.pathParam("sid");
    flow.press(sid, digits instanceof String s ? s : digits instanceof Number n ? String.valueOf(n) : null)
        .onSuccess(status -> SimApiJson.json(ctx, 200, new JsonObject()
            .put("webhookStatus", status)
            .put("call", calls.get(sid).map(CallPhoneApi::entry).orElse(null))))
        .onFailure(e -> SimApiJson.error(ctx, e));
  }

  private void hangUp(RoutingContext ctx) {
    flow.hangUp(ctx.pathParam("sid"))
        .onSuccess(call -> SimApiJson.json(ctx, 200, new JsonObject().put("call", entry(call))))
        .onFailure(e -> SimApiJson.error(ctx, e));
  }

  private static void list(RoutingContext ctx, List<SimCall> all) {
    JsonArray entries = new JsonArray();
    all.forEach(c -> entries.add(entry(c)));
    SimApiJson.json(ctx, 200, new JsonObject().put("calls", entries));
  }

  static JsonObject entry(SimCall c) {
    return new JsonObject()
        .put("sid", c.sid())
        .put("from", c.from())
        .put("to", c.to())
        .put("status", c.status())
        .put("says", new JsonArray(c.says()))
        .put("awaitingKeys", c.awaitingKeys())
        .put("pressed", new JsonArray(c.pressed()))
        .put("duration", c.durationSeconds())
        .put("at", c.dateCreated().toString());
  }
}
