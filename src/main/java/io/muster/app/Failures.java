package io.muster.app;

import io.muster.common.ErrorCode;
import io.muster.common.InvalidInput;
import io.muster.common.Rejection;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One way to say what went wrong, on the bus and over HTTP:
 * {@code {"error": {"code", "message", "field"}}} with a status from {@link ErrorCode}. Event-bus
 * failures carry the HTTP status as their code and the error object as their message. Nothing
 * internal (stack traces, SQL) ever reaches a client.
 */
public final class Failures {
  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private Failures() {
  }

  public static JsonObject error(ErrorCode code, String message, String field) {
    JsonObject error = new JsonObject().put("code", code.id()).put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    return error;
  }

  /** Answers a command with the failure that fits the exception. */
  public static void reply(Message<?> message, Throwable t) {
    JsonObject error = describe(t);
    message.fail(ErrorCode.ofId(error.getString("code")).status(), error.encode());
  }

  /** Answers an HTTP request with an error. */
  public static void respond(RoutingContext ctx, ErrorCode code, String message, String field) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().setStatusCode(code.status()).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", error(code, message, field)).encode());
  }

  /** Answers an HTTP request with the failure of a command or of the request's own handling. */
  public static void respond(RoutingContext ctx, Throwable t) {
    JsonObject error = describe(t);
    ErrorCode code = ErrorCode.ofId(error.getString("code"));
    respond(ctx, code, error.getString("message"), error.getString("field"));
  }

  private static JsonObject describe(Throwable t) {
    if (t instanceof InvalidInput e) {
      return error(ErrorCode.INVALID_REQUEST, e.reason(), e.field());
    }
    if (t instanceof Rejection e) {
      return error(e.code(), e.getMessage(), e.field());
    }
    if (t instanceof DecodeException) {
      return error(ErrorCode.INVALID_REQUEST, "the body is not valid JSON", "body");
    }
    if (t instanceof ReplyException e && e.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      try {
        return new JsonObject(e.getMessage());
      } catch (DecodeException notJson) {
        return error(ErrorCode.INTERNAL, "the request could not be completed", null);
      }
    }
    if (t instanceof ReplyException) {
      LOG.warn("command not answered: {}", t.getMessage());
      return error(ErrorCode.UNAVAILABLE, "the service did not answer in time; try again", null);
    }
    LOG.error("request failed", t);
    return error(ErrorCode.INTERNAL, "the request could not be completed", null);
  }
}
