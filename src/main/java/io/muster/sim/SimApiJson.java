package io.muster.sim;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** Answers of the simulator's own JSON API: {@code {"error": {"code", "message", "field"}}} on failure. */
final class SimApiJson {

  private SimApiJson() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static void error(RoutingContext ctx, int status, String code, String message, String field) {
    JsonObject error = new JsonObject().put("code", code).put("message", message).put("field", field);
    json(ctx, status, new JsonObject().put("error", error));
  }

  static void error(RoutingContext ctx, Throwable failure) {
    if (failure instanceof SimApiException e) {
      error(ctx, e.status(), e.code(), e.getMessage(), e.field());
    } else {
      error(ctx, 500, "internal", String.valueOf(failure.getMessage()), null);
    }
  }

  /** The JSON object body; an empty body is an empty object; anything else that is not an object is empty. */
  static Optional<JsonObject> body(RoutingContext ctx) {
    if (ctx.body() == null || ctx.body().buffer() == null || ctx.body().length() <= 0) {
      return Optional.of(new JsonObject());
    }
    try {
      return Optional.ofNullable(ctx.body().asJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return Optional.empty();
    }
  }
}
