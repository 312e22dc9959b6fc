package io.muster.bus;

import io.muster.common.ErrorCode;
import io.muster.common.InvalidInput;
import io.muster.common.Rejection;
import io.muster.store.StoreException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How commands travel on the event bus, for every feature: the headers each command carries, how
 * a refusal is answered ({@code message.fail} with the HTTP status as the code and Muster's error
 * object as the text), and what the caller's facility scope allows. Commands are request/reply,
 * sent local-only to local consumers: the node that took the request handles it.
 */
public final class Commands {
  /** Header of every command: who asked ({@code user:name}, {@code key:name}, {@code sms-provider}). */
  public static final String ACTOR = "actor";
  /** Header: the facilities the caller may see, comma-separated, or {@code *}; absent means all. */
  public static final String FACILITIES = "facilities";
  /** Header of a trigger command: the client's Idempotency-Key. */
  public static final String IDEMPOTENCY_KEY = "idempotency-key";

  private static final Logger LOG = LoggerFactory.getLogger(Commands.class);

  private Commands() {
  }

  /** Options for a command: local-only, with a send timeout, on behalf of {@code actor}. */
  public static DeliveryOptions options(long timeoutMs, String actor) {
    return new DeliveryOptions().setLocalOnly(true).setSendTimeout(timeoutMs).addHeader(ACTOR, actor);
  }

  /** Muster's error object: {@code {code, message, field?}}. */
  public static JsonObject error(ErrorCode code, String message, String field) {
    JsonObject error = new JsonObject().put("code", code.id()).put("message", message);
    if (field != null) {
      error.put("field", field);
    }
    return error;
  }

  /** Answers a command with the failure that fits the exception. */
  public static void fail(Message<?> message, Throwable t) {
    JsonObject error = describe(t);
    message.fail(ErrorCode.ofId(error.getString("code")).status(), error.encode());
  }

  /** The error object that fits a failure of a command or of a request's own handling. */
  public static JsonObject describe(Throwable t) {
    if (t instanceof InvalidInput e) {
      return error(ErrorCode.INVALID_REQUEST, e.reason(), e.field());
    }
    if (t instanceof Rejection e) {
      return error(e.code(), e.getMessage(), e.field());
    }
    if (t instanceof StoreException e && e.unavailable()) {
      // Nothing is wrong with the request: the database is down or out of reach for now.
      LOG.warn("request failed, the database is unavailable: {}", e.getMessage());
      return error(ErrorCode.UNAVAILABLE, "the database is not available; try again", null);
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

  /** The facilities the caller may see (the {@link #FACILITIES} header; absent: all). */
  public static Predicate<String> scope(Message<?> message) {
    String header = message.headers().get(FACILITIES);
    if (header == null || List.of(header.split(",")).contains("*")) {
      return f -> true;
    }
    Set<String> allowed = Set.of(header.split(","));
    return allowed::contains;
  }
}
