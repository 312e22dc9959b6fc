package io.muster.web;

import io.muster.bus.Commands;
import io.muster.common.ErrorCode;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One way to say over HTTP what went wrong: {@code {"error": {"code", "message", "field"}}} with a
 * status from {@link ErrorCode}; a failed command's answer is passed on as the command gave it
 * ({@link Commands#describe}). Nothing internal (stack traces, SQL) ever reaches a client.
 */
public final class Failures {
  private Failures() {
  }

  public static JsonObject error(ErrorCode code, String message, String field) {
    return Commands.error(code, message, field);
  }

  /** Answers an HTTP request with an error. */
  public static void respond(RoutingContext ctx, ErrorCode code, String message, String field) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(code.status()).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", error(code, message, field)).encode());
  }

  /** Answers an HTTP request with a JSON body. */
  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body instanceof JsonObject o ? o.encode() : String.valueOf(body));
  }

  /** Answers an HTTP request with the failure of a command or of the request's own handling. */
  public static void respond(RoutingContext ctx, Throwable t) {
    JsonObject error = Commands.describe(t);
    respond(ctx, ErrorCode.ofId(error.getString("code")), error.getString("message"), error.getString("field"));
  }
}
