package io.muster.sim;

import io.muster.common.Segments;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Twilio's Messages API, the parts Muster uses: create, fetch and list, with Twilio's HTTP Basic
 * authentication, validation errors, JSON and paging; the Calls API ({@link CallsApi}) behind the
 * same authentication. Mounted under {@code /2010-04-01/Accounts}.
 *
 * <p>Message creates go through {@link Faults}: every one is counted (whatever its outcome), an
 * outage or a pending failure answers instead of the API, a recipient set to be refused gets 400, and
 * with hang on the answer is held back (the request stays open until the client gives up or the
 * simulator stops).
 */
final class TwilioApi {

  static final String MOUNT = "/" + TwilioJson.API_VERSION + "/Accounts";
  private static final int MAX_BODY_CHARS = 1600;
  private static final int DEFAULT_PAGE_SIZE = 50;
  private static final int MAX_PAGE_SIZE = 1000;

  private final SimulatorConfig config;
  private final MessageStore store;
  private final Faults faults;
  private final Consumer<SimMessage> onCreated;
  private final Supplier<String> defaultSender;
  private final CallsApi calls;
  private final HeldAnswers held;

  TwilioApi(SimulatorConfig config, MessageStore store, Faults faults, HeldAnswers held, Consumer<SimMessage> onCreated,
      Supplier<String> defaultSender, CallsApi calls) {
    this.held = held;
    this.config = config;
    this.store = store;
    this.faults = faults;
    this.onCreated = onCreated;
    this.defaultSender = defaultSender;
    this.calls = calls;
  }

  /** The context key of {@link System#nanoTime()} when a create's request arrived. */
  private static final String ARRIVED = "sim.arrivedNanos";

  /** Paths relative to {@link #MOUNT}. */
  Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    router.post("/:AccountSid/Messages.json").handler(ctx -> {
      // Received when its head arrives, before the simulator reads its body and checks it: the
      // provider's receipt time, not the simulator's own processing, is what pacing is judged by.
      ctx.put(ARRIVED, System.nanoTime());
      store.countAttempt();
      ctx.next();
    });
    router.route("/:AccountSid/*").handler(this::authenticate);
    router.post("/:AccountSid/Messages.json").handler(BodyHandler.create(false)).handler(this::create);
    router.get("/:AccountSid/Messages.json").handler(this::list);
    router.get("/:AccountSid/Messages/:file").handler(this::fetch);
    calls.addRoutes(router);
    return router;
  }

  private void authenticate(RoutingContext ctx) {
    if (!credentialsMatch(ctx.request().getHeader("Authorization"))) {
      ctx.response().putHeader("WWW-Authenticate", "Basic realm=\"Twilio API\"");
      answer(ctx, 401, TwilioJson.error(401, 20003, "Authenticate"));
    } else if (!config.accountSid().equals(ctx.pathParam("AccountSid"))) {
      notFound(ctx);
    } else {
      ctx.next();
    }
  }

  private boolean credentialsMatch(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getDecoder().decode(authorization.substring(6).trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = (config.accountSid() + ":" + config.authToken()).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, expected);
  }

  private void create(RoutingContext ctx) {
    Optional<Faults.Rejection> rejection = faults.takeRejection();
    if (rejection.isPresent()) {
      answer(ctx, rejection.get().status(), rejection.get().body());
      return;
    }
    boolean hang = faults.hanging();
    MultiMap form = ctx.request().formAttributes();
    Optional<JsonObject> invalid = validate(form)
        .or(() -> faults.refusal(Phones.parse(form.get("To")).orElseThrow()).map(Faults.Rejection::body));
    if (invalid.isPresent()) {
      answerOrHold(ctx, hang, invalid.get().getInteger("status"), invalid.get());
      return;
    }
    SimMessage message = accepted(form, ctx.<Long>get(ARRIVED));
    store.addCreated(message);
    onCreated.accept(message);
    answerOrHold(ctx, hang, 201, TwilioJson.message(message));
  }

  private void answerOrHold(RoutingContext ctx, boolean hang, int status, JsonObject json) {
    if (!hang) {
      answer(ctx, status, json);
      return;
    }
    held.hold(ctx);
  }

  /** The first rule broken, in the order Twilio checks them, as Twilio's error body. */
  private static Optional<JsonObject> validate(MultiMap form) {
    String to = form.get("To");
    String body = form.get("Body");
    if (blank(to)) {
      return Optional.of(TwilioJson.error(400, 21604, "A 'To' phone number is required."));
    }
    if (Phones.parse(to).isEmpty()) {
      return Optional.of(TwilioJson.error(400, 21211, "Invalid 'To' Phone Number"));
    }
    if (blank(form.get("From")) && blank(form.get("MessagingServiceSid"))) {
      return Optional.of(TwilioJson.error(400, 21603, "A 'From' phone number is required."));
    }
    if (blank(body)) {
      return Optional.of(TwilioJson.error(400, 21602, "Message body is required."));
    }
    if (body.length() > MAX_BODY_CHARS) {
      return Optional.of(TwilioJson.error(400, 21617, "The concatenated message body exceeds the 1600 character limit."));
    }
    return Optional.empty();
  }

  private SimMessage accepted(MultiMap form, long receivedNanos) {
    Instant now = Instant.now();
    String from = blank(form.get("From")) ? defaultSender.get() : form.get("From");
    String callback = blank(form.get("StatusCallback")) ? null : form.get("StatusCallback");
    String body = form.get("Body");
    // date_sent is set on acceptance: the simulator hands the message to its "carrier" at once.
    return new SimMessage(newSid(), config.accountSid(), SimMessage.OUTBOUND, from,
        Phones.parse(form.get("To")).orElseThrow(), emptyToNull(form.get("MessagingServiceSid")), body,
        "queued", callback, Segments.count(body), now, now, now, receivedNanos);
  }

  private void fetch(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    Optional<SimMessage> message = file.endsWith(".json")
        ? store.get(file.substring(0, file.length() - ".json".length()))
        : Optional.empty();
    message.ifPresentOrElse(m -> answer(ctx, 200, TwilioJson.message(m)), () -> notFound(ctx));
  }

  private void list(RoutingContext ctx) {
    MultiMap query = ctx.queryParams();
    Optional<Predicate<SimMessage>> filter = ListFilter.from(query);
    if (filter.isEmpty()) {
      answer(ctx, 400, TwilioJson.error(400, 20001, "Invalid filter: To, From and DateSent must be valid"));
      return;
    }
    List<SimMessage> matching = new ArrayList<>(store.matching(filter.get()));
    matching.sort(Comparator.comparing(SimMessage::dateCreated).reversed()); // newest first, as Twilio
    answer(ctx, 200, TwilioJson.page(matching, pageRequest(query)));
  }

  private TwilioJson.PageRequest pageRequest(MultiMap query) {
    int pageSize = clamp(intParam(query, "PageSize", DEFAULT_PAGE_SIZE), 1, MAX_PAGE_SIZE);
    int page = Math.max(0, intParam(query, "Page", 0));
    StringBuilder filters = new StringBuilder();
    for (String name : ListFilter.NAMES) {
      String value = query.get(name);
      if (value != null) {
        filters.append(filters.isEmpty() ? "" : "&").append(encode(name)).append('=').append(encode(value));
      }
    }
    return new TwilioJson.PageRequest(TwilioJson.messagesUri(config.accountSid()) + ".json", filters.toString(), page, pageSize);
  }

  static void notFound(RoutingContext ctx) {
    answer(ctx, 404, TwilioJson.error(404, 20404, "The requested resource " + ctx.request().path() + " was not found"));
  }

  static void answer(RoutingContext ctx, int status, JsonObject json) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(json.encode());
  }

  static String newSid() {
    return "SM" + UUID.randomUUID().toString().replace("-", "");
  }

  static int intParam(MultiMap query, String name, int fallback) {
    try {
      String value = query.get(name);
      return value == null ? fallback : Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return fallback;
    }
  }

  private static int clamp(int value, int min, int max) {
    return Math.max(min, Math.min(max, value));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  private static String emptyToNull(String value) {
    return blank(value) ? null : value;
  }

  /** Seconds, as Twilio stores and compares its dates. */
  static Instant seconds(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS);
  }
}
