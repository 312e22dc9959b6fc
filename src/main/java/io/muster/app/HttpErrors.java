package io.muster.app;

import io.muster.common.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns every HTTP failure into Muster's JSON error, naming the field when there is one. */
final class HttpErrors {
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"|'([^']+)'");

  private HttpErrors() {
  }

  /** An API request that carries a body must say it is JSON: anything else is refused before parsing. */
  static void requireJsonBody(RoutingContext ctx) {
    if (!ctx.request().path().startsWith("/api/")) {
      ctx.next();
      return;
    }
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
        || (length != null && !"0".equals(length.strip()));
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (hasBody && (type == null || !type.toLowerCase().startsWith("application/json"))) {
      Failures.respond(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "the body must be application/json, got " + (type == null ? "no content type" : type), "Content-Type");
      return;
    }
    ctx.next();
  }

  static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (ctx.statusCode() == 413) {
      Failures.respond(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit", "body");
    } else if (failure instanceof SchemaValidationException e) {
      schema(ctx, e);
    } else if (failure instanceof ValidatorException e) {
      ErrorCode code = e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT
          ? ErrorCode.UNSUPPORTED_MEDIA_TYPE : ErrorCode.INVALID_REQUEST;
      Failures.respond(ctx, code, e.getMessage(), quoted(e.getMessage()));
    } else if (failure instanceof DecodeException || (failure != null && failure.getCause() instanceof DecodeException)) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "the body is not valid JSON", "body");
    } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      Failures.respond(ctx, ErrorCode.ofStatus(ctx.statusCode()), "the request was refused", null);
    } else {
      Failures.respond(ctx, failure == null ? new IllegalStateException("status " + ctx.statusCode()) : failure);
    }
  }

  /** The deepest schema error says best what is wrong, and where. */
  private static void schema(RoutingContext ctx, SchemaValidationException e) {
    OutputUnit unit = e.getOutputUnit();
    while (unit != null && unit.getErrors() != null && !unit.getErrors().isEmpty()) {
      unit = unit.getErrors().get(0);
    }
    if (unit == null) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, e.getMessage(), null);
      return;
    }
    String location = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation().replace("#", "");
    String field = location.startsWith("/") ? location.substring(1).replace('/', '.') : location;
    String message = unit.getError() == null ? e.getMessage() : unit.getError();
    if (field.isEmpty()) {
      field = quoted(message);
    }
    if ((field == null || field.isEmpty()) && message.toLowerCase().contains("body")) {
      field = "body";
    }
    Failures.respond(ctx, ErrorCode.INVALID_REQUEST, message, field);
  }

  private static String quoted(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = QUOTED.matcher(message);
    return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
  }
}
