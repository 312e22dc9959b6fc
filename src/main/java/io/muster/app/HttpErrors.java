package io.muster.app;

import io.muster.web.Failures;
import io.muster.common.ErrorCode;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns every HTTP failure into Muster's JSON error, naming the field when there is one. */
final class HttpErrors {
  private static final Pattern PARAMETER = Pattern.compile("parameter (\\S+) ");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"|'([^']+)'");

  private HttpErrors() {
  }

  /**
   * An API request that carries a body must say it is JSON, and be strict JSON in UTF-8: no
   * comments, no repeated keys, no NUL characters or broken surrogate pairs in any text. Anything
   * else is refused before the contract or a handler reads it.
   */
  static void requireJsonBody(RoutingContext ctx) {
    if (!ctx.request().path().startsWith("/api/")) {
      ctx.next();
      return;
    }
    String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = ctx.request().getHeader(HttpHeaders.TRANSFER_ENCODING) != null
        || (length != null && !"0".equals(length.strip()));
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (hasBody && (type == null || !type.toLowerCase().startsWith("application/json") || otherCharset(type))) {
      Failures.respond(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          "the body must be application/json, got " + (type == null ? "no content type" : type), "Content-Type");
      return;
    }
    if (hasBody && ctx.body() != null && ctx.body().buffer() != null) {
      StrictJson.Problem problem = StrictJson.problem(ctx.body().buffer().getBytes());
      if (problem != null) {
        Failures.respond(ctx, ErrorCode.INVALID_REQUEST, problem.message(), problem.field());
        return;
      }
    }
    ctx.next();
  }

  /** A content type that names a charset other than UTF-8 (JSON is UTF-8; a body is never read as anything else). */
  private static boolean otherCharset(String type) {
    for (String param : type.split(";")) {
      String[] kv = param.strip().split("=", 2);
      if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("charset")) {
        String charset = kv[1].strip().replace("\"", "");
        return !charset.equalsIgnoreCase("utf-8") && !charset.equalsIgnoreCase("utf8");
      }
    }
    return false;
  }

  /** A request the HTTP decoder refused (a line or headers too long, a broken request line). */
  static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ErrorCode code;
    String message;
    if (cause instanceof TooLongHttpLineException) {
      code = ErrorCode.URI_TOO_LONG;
      message = "the request line (path and query) is too long";
    } else if (cause instanceof TooLongHttpHeaderException) {
      code = ErrorCode.HEADERS_TOO_LARGE;
      message = "the request headers are too large";
    } else {
      code = ErrorCode.INVALID_REQUEST;
      message = "the request is not valid HTTP";
    }
    SecurityHeaders.addTo(request.response().headers());
    request.response().setStatusCode(code.status()).putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(new io.vertx.core.json.JsonObject().put("error", Failures.error(code, message, null)).encode());
  }

  static void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    // The OpenAPI router wraps its validation errors in a 400 HttpException.
    if (failure instanceof HttpException http && http.getCause() != null) {
      failure = http.getCause();
    }
    if (ctx.statusCode() == 413) {
      Failures.respond(ctx, ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than the limit", "body");
    } else if (failure instanceof SchemaValidationException e) {
      schema(ctx, e);
    } else if (failure instanceof ValidatorException e) {
      validator(ctx, e);
    } else if (failure instanceof DecodeException || (failure != null && failure.getCause() instanceof DecodeException)) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "the body is not valid JSON", "body");
    } else if (failure == null && ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      Failures.respond(ctx, ErrorCode.ofStatus(ctx.statusCode()), "the request was refused", null);
    } else {
      Failures.respond(ctx, failure == null ? new IllegalStateException("status " + ctx.statusCode()) : failure);
    }
  }

  private static void validator(RoutingContext ctx, ValidatorException e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    Matcher named = PARAMETER.matcher(message);
    if (message.contains("can't be decoded") && named.find()) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, named.group(1) + ": the value cannot be decoded", named.group(1));
    } else if (message.contains("can't be decoded")) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "the body is not valid JSON", "body");
    } else if (message.contains("required body")) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "a JSON body is required", "body");
    } else if (e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT) {
      Failures.respond(ctx, ErrorCode.UNSUPPORTED_MEDIA_TYPE, message, "Content-Type");
    } else {
      Matcher parameter = PARAMETER.matcher(message);
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, message, parameter.find() ? parameter.group(1) : quoted(message));
    }
  }

  /**
   * A parameter's error names the parameter; a body's names the property at fault (its deepest
   * schema error says best what is wrong).
   */
  private static void schema(RoutingContext ctx, SchemaValidationException e) {
    Matcher parameter = PARAMETER.matcher(e.getMessage());
    OutputUnit unit = deepest(e.getOutputUnit());
    String reason = unit == null || unit.getError() == null ? e.getMessage() : unit.getError();
    if (parameter.find()) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, parameter.group(1) + ": " + reason, parameter.group(1));
      return;
    }
    String location = unit == null || unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation().replace("#", "");
    String field = location.startsWith("/") ? location.substring(1).replace('/', '.') : null;
    if (unit != null && unit.getKeywordLocation() != null && unit.getKeywordLocation().endsWith("/required")) {
      field = quoted(reason);
      reason = "is required";
    }
    if (unit != null && unit.getKeywordLocation() != null && unit.getKeywordLocation().endsWith("/additionalProperties")) {
      reason = "is not a known field";
    }
    if (field == null) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "body: " + reason, "body");
    } else {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, field + ": " + reason, field);
    }
  }

  /** The error with the longest keyword path: "summary/type" says more than "properties". */
  private static OutputUnit deepest(OutputUnit root) {
    if (root == null || root.getErrors() == null || root.getErrors().isEmpty()) {
      return root;
    }
    OutputUnit best = null;
    for (OutputUnit unit : root.getErrors()) {
      OutputUnit candidate = deepest(unit);
      if (best == null || depth(candidate) > depth(best)) {
        best = candidate;
      }
    }
    return best;
  }

  private static int depth(OutputUnit unit) {
    String k = unit.getKeywordLocation();
    return k == null ? 0 : k.split("/").length;
  }

  private static String quoted(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = QUOTED.matcher(message);
    return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
  }
}
