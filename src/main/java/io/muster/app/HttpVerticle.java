package io.muster.app;

import io.muster.common.ErrorCode;
import io.muster.incident.IncidentAddresses;
import io.muster.live.LiveHub;
import io.muster.notify.DeliveryFailures;
import io.muster.notify.NotifyAddresses;
import io.muster.notify.twilio.TwilioWebhookAuth;
import io.muster.playbook.PlaybookViews;
import io.muster.readiness.ReadinessAddresses;
import io.muster.playbook.domain.Playbook;
import io.muster.roster.RosterViews;
import io.muster.roster.domain.Roster;
import io.muster.security.AuditTrail;
import io.muster.security.Principal;
import io.muster.security.Tickets;
import io.muster.store.AsyncDb;
import io.muster.store.Audit;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.Map;

/**
 * The HTTP face of a node: the v1 API (validated against {@code openapi.yaml}), the Twilio
 * webhooks (validated by signature), the live websocket, probes, metrics and the dashboard.
 * Handlers turn requests into commands on the event bus and answers into HTTP.
 */
public final class HttpVerticle extends VerticleBase {
  private static final long COMMAND_TIMEOUT_MS = 15_000;
  private static final String TWIML_EMPTY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response></Response>";

  private final MusterConfig config;
  private final OpenAPIContract contract;
  private final LiveHub hub;
  private final Roster roster;
  private final Map<String, Playbook> playbooks;
  private final AsyncDb db;
  private final PrometheusMeterRegistry metrics;
  private final String webhookToken;
  private final Guarded security;
  private HttpServer server;

  /** What guards the API: the request guard, the sign-in operations, the websocket tickets. */
  record Guarded(ApiGuard guard, SecurityApi api, Tickets tickets, AuditTrail audit) { }

  public HttpVerticle(MusterConfig config, OpenAPIContract contract, LiveHub hub, Roster roster,
                      Map<String, Playbook> playbooks, AsyncDb db, PrometheusMeterRegistry metrics, String webhookToken,
                      Guarded security) {
    this.config = config;
    this.contract = contract;
    this.hub = hub;
    this.roster = roster;
    this.playbooks = playbooks;
    this.db = db;
    this.metrics = metrics;
    this.webhookToken = webhookToken;
    this.security = security;
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public Future<?> start() {
    Router router = api();
    router.get("/health/live").handler(ctx -> json(ctx, 200, new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(metrics));
    router.get("/ws/live").handler(this::live);
    // The body handler the API's root handlers put on every route has read the form already.
    router.post("/webhooks/twilio/*").handler(new TwilioWebhookAuth(webhookToken, config.http().publicBaseUrl()));
    router.post("/webhooks/twilio/sms").handler(this::inboundSms);
    router.post("/webhooks/twilio/status").handler(this::deliveryStatus);
    router.post("/webhooks/twilio/voice").handler(this::voiceKey);
    router.get("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    // The dashboard's files are revalidated on every load, so an upgrade reaches open browsers.
    router.get("/*").handler(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-cache");
      ctx.next();
    }).handler(StaticHandler.create("webroot").setCachingEnabled(false));
    router.route().failureHandler(HttpErrors::handle);
    router.errorHandler(404, ctx -> Failures.respond(ctx, ErrorCode.NOT_FOUND, "no such path: " + ctx.request().path(), null));
    router.errorHandler(405, ctx -> Failures.respond(ctx, ErrorCode.METHOD_NOT_ALLOWED,
        ctx.request().method() + " is not allowed on " + ctx.request().path(), null));
    server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true))
        .invalidRequestHandler(HttpErrors::invalidRequest);
    // The hub's timer and consumer belong to this verticle, so they stop when it is undeployed.
    return hub.start(config.dispatch().pollMs())
        .compose(v -> server.requestHandler(router).listen(config.http().port(), config.http().host()));
  }

  private Router api() {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    // Root handlers run on every route of the router, the websocket's too: its upgrade has no body.
    builder.rootHandler(SecurityHeaders::add);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes());
    builder.rootHandler(ctx -> {
      if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
        ctx.next();
      } else {
        body.handle(ctx);
      }
    });
    builder.rootHandler(security.guard()::handle);
    builder.rootHandler(HttpErrors::requireJsonBody);
    security.api().mount(builder);
    builder.getRoute("triggerIncident").addHandler(this::trigger);
    builder.getRoute("listIncidents").addHandler(ctx -> command(ctx, IncidentAddresses.LIST,
        new JsonObject().put("status", ctx.request().getParam("status")), 200));
    builder.getRoute("getIncident").addHandler(ctx -> command(ctx, IncidentAddresses.GET, idOf(ctx), 200));
    builder.getRoute("resolveIncident").addHandler(ctx -> command(ctx, IncidentAddresses.RESOLVE, idOf(ctx), 200));
    builder.getRoute("completeTask").addHandler(ctx -> command(ctx, IncidentAddresses.COMPLETE_TASK,
        idOf(ctx).put("taskId", ctx.pathParam("taskId")), 200));
    builder.getRoute("listPlaybooks").addHandler(ctx -> json(ctx, 200, PlaybookViews.list(playbooks.values())));
    builder.getRoute("getPlaybook").addHandler(this::playbook);
    builder.getRoute("listStaff").addHandler(ctx -> db.run(() -> db.db().tx(DeliveryFailures::phoneStatuses))
        .onSuccess(states -> json(ctx, 200, visible(RosterViews.staff(roster, states), "staff", ApiGuard.principal(ctx))))
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("listFacilities").addHandler(ctx -> json(ctx, 200,
        visible(RosterViews.facilities(roster), "facilities", ApiGuard.principal(ctx))));
    builder.getRoute("getReadiness").addHandler(ctx -> facility(ctx, () -> command(ctx, ReadinessAddresses.GET, idOf(ctx), 200)));
    builder.getRoute("updateReadiness").addHandler(ctx -> facility(ctx, () -> command(ctx, ReadinessAddresses.UPDATE,
        idOf(ctx).put("update", ctx.body().asJsonObject()), 200)));
    builder.getRoute("regionReadiness").addHandler(ctx -> vertx.eventBus().<JsonObject>request(ReadinessAddresses.REGION,
            new JsonObject(), commandOptions(ctx))
        .onSuccess(reply -> json(ctx, 200, visible(reply.body(), "facilities", ApiGuard.principal(ctx))))
        .onFailure(t -> Failures.respond(ctx, t)));
    builder.getRoute("getHave").addHandler(ctx -> facility(ctx, () -> xml(ctx, idOf(ctx))));
    builder.getRoute("regionHave").addHandler(ctx -> {
      if (ApiGuard.principal(ctx).allFacilities()) {
        xml(ctx, new JsonObject());
      } else {
        Failures.respond(ctx, ErrorCode.FORBIDDEN, "the region's document needs access to every facility", null);
      }
    });
    return builder.createRouter();
  }

  /** A list answer kept to the caller's facilities. */
  private static JsonObject visible(JsonObject answer, String field, Principal p) {
    return p.allFacilities() ? answer : answer.copy().put(field, p.visible(answer.getJsonArray(field)));
  }

  /** A facility the caller may not see answers as if it did not exist. */
  private void facility(RoutingContext ctx, Runnable then) {
    if (ApiGuard.principal(ctx).allows(ctx.pathParam("id"))) {
      then.run();
    } else {
      Failures.respond(ctx, ErrorCode.NOT_FOUND, "no facility with id '" + ctx.pathParam("id") + "'", "id");
    }
  }

  private void trigger(RoutingContext ctx) {
    DeliveryOptions options = commandOptions(ctx);
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null) {
      options.addHeader(IncidentAddresses.IDEMPOTENCY_KEY, key);
    }
    vertx.eventBus().<JsonObject>request(IncidentAddresses.TRIGGER, ctx.body().asJsonObject(), options)
        .onSuccess(reply -> {
          JsonObject incident = reply.body();
          boolean replayed = Boolean.TRUE.equals(incident.remove("replayed"));
          ctx.response().putHeader("Location", "/api/v1/incidents/" + incident.getString("id"))
              .putHeader("Idempotent-Replayed", Boolean.toString(replayed));
          json(ctx, 201, incident);
        })
        .onFailure(t -> Failures.respond(ctx, t));
  }

  private void command(RoutingContext ctx, String address, JsonObject body, int status) {
    vertx.eventBus().<JsonObject>request(address, body, commandOptions(ctx))
        .onSuccess(reply -> json(ctx, status, reply.body()))
        .onFailure(t -> Failures.respond(ctx, t));
  }

  private void xml(RoutingContext ctx, JsonObject which) {
    vertx.eventBus().<JsonObject>request(ReadinessAddresses.HAVE, which, commandOptions(ctx))
        .onSuccess(reply -> ctx.response().putHeader("content-type", "application/xml; charset=utf-8")
            .end(reply.body().getString("xml")))
        .onFailure(t -> Failures.respond(ctx, t));
  }

  private void playbook(RoutingContext ctx) {
    Playbook playbook = playbooks.get(ctx.pathParam("id"));
    if (playbook == null) {
      Failures.respond(ctx, ErrorCode.NOT_FOUND, "no playbook with id '" + ctx.pathParam("id") + "'", "id");
    } else {
      json(ctx, 200, PlaybookViews.of(playbook));
    }
  }

  private void inboundSms(RoutingContext ctx) {
    Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
    if (params.get("MessageSid") == null || params.get("From") == null) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "MessageSid and From are required", "MessageSid");
      return;
    }
    vertx.eventBus().<JsonObject>request(NotifyAddresses.REPLY, new JsonObject(new java.util.HashMap<String, Object>(params)), webhookOptions())
        .onSuccess(reply -> ctx.response().putHeader("content-type", "text/xml").end(TWIML_EMPTY))
        .onFailure(t -> Failures.respond(ctx, t));
  }

  private void deliveryStatus(RoutingContext ctx) {
    Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
    if (params.get("MessageSid") == null || params.get("MessageStatus") == null) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "MessageSid and MessageStatus are required", "MessageStatus");
      return;
    }
    JsonObject body = new JsonObject(new java.util.HashMap<String, Object>(params)).put("n", ctx.request().getParam("n"));
    vertx.eventBus().<JsonObject>request(NotifyAddresses.STATUS, body, webhookOptions())
        .onSuccess(reply -> ctx.response().setStatusCode(204).end())
        .onFailure(t -> Failures.respond(ctx, t));
  }

  /** A key pressed during a voice page; answers TwiML that tells the person what happened. */
  private void voiceKey(RoutingContext ctx) {
    Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
    if (params.get("CallSid") == null) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "CallSid is required", "CallSid");
      return;
    }
    JsonObject body = new JsonObject(new java.util.HashMap<String, Object>(params)).put("n", ctx.request().getParam("n"));
    vertx.eventBus().<JsonObject>request(NotifyAddresses.VOICE, body, webhookOptions())
        .onSuccess(reply -> {
          boolean acked = "acknowledged".equals(reply.body().getString("outcome"));
          ctx.response().putHeader("content-type", "text/xml").end("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>"
              + (acked ? "Thank you. Your acknowledgement is recorded." : "Nothing was recorded. Goodbye.")
              + "</Say></Response>");
        })
        .onFailure(t -> Failures.respond(ctx, t));
  }

  /**
   * The live websocket: opened with a single-use ticket (POST /api/v1/auth/ws-ticket), from the
   * node's own pages or an allowed origin; the stream then carries the ticket holder's facilities only.
   */
  private void live(RoutingContext ctx) {
    String since = ctx.request().getParam("since");
    if (since != null && !since.matches("[0-9]{1,18}")) {
      Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "since must be a sequence number (0 or more)", "since");
      return;
    }
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !SecurityHeaders.originAllowed(origin, ctx.request().authority(), config)) {
      security.audit().record(new Audit.Entry("anonymous", ApiGuard.origin(ctx), "GET /ws/live", null,
          "403", "origin not allowed: " + origin));
      Failures.respond(ctx, ErrorCode.FORBIDDEN, "pages from " + origin + " may not open the live stream", "Origin");
      return;
    }
    ctx.request().pause();
    db.run(() -> security.tickets().redeem(ctx.request().getParam("ticket"))).onComplete(ar -> {
      ctx.request().resume();
      if (ar.failed() || ar.result().isEmpty()) {
        Failures.respond(ctx, ErrorCode.UNAUTHORIZED, "a valid ticket is required: POST /api/v1/auth/ws-ticket, then"
            + " open /ws/live?ticket=...; each ticket opens one connection", "ticket");
        return;
      }
      ctx.request().toWebSocket()
          .onSuccess(ws -> hub.attach(ws, since == null ? null : Long.valueOf(since), ar.result().get()))
          .onFailure(t -> Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "a websocket upgrade is required", null));
    });
  }

  private void ready(RoutingContext ctx) {
    db.run(() -> db.db().ping()).onComplete(ar -> {
      boolean up = ar.succeeded() && ar.result();
      json(ctx, up ? 200 : 503, new JsonObject().put("status", up ? "UP" : "DOWN")
          .put("checks", new JsonObject().put("database", up ? "UP" : "DOWN")));
    });
  }

  private static JsonObject idOf(RoutingContext ctx) {
    return new JsonObject().put("id", ctx.pathParam("id"));
  }

  /** A command on behalf of the caller: the journal records who, and the service keeps to their facilities. */
  private static DeliveryOptions commandOptions(RoutingContext ctx) {
    Principal p = ApiGuard.principal(ctx);
    return new DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT_MS).setLocalOnly(true)
        .addHeader(IncidentAddresses.ACTOR, p.actor())
        .addHeader(IncidentAddresses.FACILITIES, p.scopeHeader());
  }

  /** Commands from Twilio's webhooks: signed by Twilio, on behalf of nobody in particular. */
  private static DeliveryOptions webhookOptions() {
    return new DeliveryOptions().setSendTimeout(COMMAND_TIMEOUT_MS).setLocalOnly(true)
        .addHeader(IncidentAddresses.ACTOR, "sms-provider");
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body instanceof JsonObject o ? o.encode() : String.valueOf(body));
  }
}
