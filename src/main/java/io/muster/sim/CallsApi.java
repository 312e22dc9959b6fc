package io.muster.sim;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Twilio's Calls API, the parts a notification system uses: create (To, From, Twiml or Url, Method,
 * StatusCallback, StatusCallbackEvent, StatusCallbackMethod), fetch and list (newest first, with the
 * filters of {@link ListFilter#calls}: To, From, Status, StartTime and EndTime with their
 * inequalities), with Twilio's JSON, validation errors and paging. Its routes join
 * {@link TwilioApi}'s, behind the same authentication. With {@link Faults#hangCalls} on, a create is
 * handled but its answer is held back.
 */
final class CallsApi {

  static final Set<String> EVENTS = Set.of("initiated", "ringing", "answered", "completed");
  private final SimulatorConfig config;
  private final CallStore calls;
  private final Faults faults;
  private final HeldAnswers held;
  private final Consumer<SimCall> onCreated;

  CallsApi(SimulatorConfig config, CallStore calls, Faults faults, HeldAnswers held, Consumer<SimCall> onCreated) {
    this.config = config;
    this.calls = calls;
    this.faults = faults;
    this.held = held;
    this.onCreated = onCreated;
  }

  /** Adds the routes to {@link TwilioApi}'s router (paths relative to its mount), after authentication. */
  void addRoutes(Router router) {
    router.post("/:AccountSid/Calls.json").handler(BodyHandler.create(false)).handler(this::create);
    router.get("/:AccountSid/Calls.json").handler(this::list);
    router.get("/:AccountSid/Calls/:file").handler(this::fetch);
  }

  private void create(RoutingContext ctx) {
    boolean hang = faults.callsHanging();
    MultiMap form = ctx.request().formAttributes();
    Optional<JsonObject> invalid = validate(form);
    if (invalid.isPresent()) {
      answerOrHold(ctx, hang, 400, invalid.get());
      return;
    }
    SimCall call = accepted(form);
    calls.add(call);
    onCreated.accept(call);
    answerOrHold(ctx, hang, 201, TwilioJson.call(call));
  }

  private void answerOrHold(RoutingContext ctx, boolean hang, int status, JsonObject json) {
    if (hang) {
      held.hold(ctx);
    } else {
      TwilioApi.answer(ctx, status, json);
    }
  }

  /** The first rule broken, in the order Twilio checks them, as Twilio's error body. */
  private static Optional<JsonObject> validate(MultiMap form) {
    String to = form.get("To");
    if (blank(to)) {
      return Optional.of(TwilioJson.error(400, 21201, "No 'To' number is specified"));
    }
    if (Phones.parse(to).isEmpty()) {
      return Optional.of(TwilioJson.error(400, 21211, "Invalid 'To' Phone Number"));
    }
    if (blank(form.get("From"))) {
      return Optional.of(TwilioJson.error(400, 21213, "No 'From' number is specified"));
    }
    if (blank(form.get("Url")) && blank(form.get("Twiml"))) {
      return Optional.of(TwilioJson.error(400, 21205, "Url parameter is required. Please provide either a Url or Twiml"));
    }
    if (!blank(form.get("Url")) && !absoluteHttp(form.get("Url"))) {
      return Optional.of(TwilioJson.error(400, 21205, "Url is not a valid URL"));
    }
    return Optional.empty();
  }

  /** With both, Twilio runs the Url and ignores the Twiml. */
  private SimCall accepted(MultiMap form) {
    Instant now = Instant.now();
    String url = blank(form.get("Url")) ? null : form.get("Url").strip();
    return new SimCall(newSid(), config.accountSid(), form.get("From").strip(), Phones.parse(form.get("To")).orElseThrow(),
        "queued", url == null ? form.get("Twiml") : null, null, url, method(form.get("Method")),
        blank(form.get("StatusCallback")) ? null : form.get("StatusCallback").strip(),
        method(form.get("StatusCallbackMethod")), events(form.getAll("StatusCallbackEvent")), List.of(),
        now, now, null, null, System.nanoTime());
  }

  /** The events asked for, one per value or space-separated; Twilio's default is "completed" alone. */
  private static List<String> events(List<String> raw) {
    Set<String> events = new LinkedHashSet<>();
    for (String value : raw) {
      for (String event : value.trim().split("[\\s,]+")) {
        String name = event.toLowerCase(Locale.ROOT);
        if (EVENTS.contains(name)) {
          events.add(name);
        }
      }
    }
    return events.isEmpty() ? List.of("completed") : List.copyOf(events);
  }

  private static String method(String raw) {
    return raw != null && raw.strip().equalsIgnoreCase("GET") ? "GET" : "POST";
  }

  private void fetch(RoutingContext ctx) {
    String file = ctx.pathParam("file");
    Optional<SimCall> call = file.endsWith(".json")
        ? calls.get(file.substring(0, file.length() - ".json".length()))
        : Optional.empty();
    call.ifPresentOrElse(c -> TwilioApi.answer(ctx, 200, TwilioJson.call(c)), () -> TwilioApi.notFound(ctx));
  }

  private void list(RoutingContext ctx) {
    MultiMap query = ctx.queryParams();
    Optional<Predicate<SimCall>> filter = ListFilter.calls(query);
    if (filter.isEmpty()) {
      TwilioApi.answer(ctx, 400, TwilioJson.error(400, 20001,
          "Invalid filter: To must be a valid phone number, StartTime and EndTime valid dates"));
      return;
    }
    List<SimCall> matching = new ArrayList<>(calls.matching(filter.get()));
    matching.sort(Comparator.comparing(SimCall::dateCreated).reversed()); // newest first, as Twilio
    TwilioApi.answer(ctx, 200, TwilioJson.page("calls", matching, TwilioJson::call, pageRequest(query)));
  }

  private TwilioJson.PageRequest pageRequest(MultiMap query) {
    int pageSize = Math.max(1, Math.min(1000, TwilioApi.intParam(query, "PageSize", 50)));
    int page = Math.max(0, TwilioApi.intParam(query, "Page", 0));
    StringBuilder filters = new StringBuilder();
    for (String name : ListFilter.CALL_NAMES) {
      String value = query.get(name);
      if (value != null) {
        filters.append(filters.isEmpty() ? "" : "&").append(encode(name)).append('=').append(encode(value));
      }
    }
    return new TwilioJson.PageRequest(TwilioJson.callsUri(config.accountSid()) + ".json", filters.toString(), page, pageSize);
  }

  static String newSid() {
    return "CA" + UUID.randomUUID().toString().replace("-", "");
  }

  private static boolean absoluteHttp(String url) {
    try {
      return CallFlow.isHttp(URI.create(url.strip()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
