package io.muster.app;

import io.muster.web.Failures;
import io.muster.bus.Commands;
import io.muster.common.ErrorCode;
import io.muster.incident.IncidentAddresses;
import io.muster.live.LiveHub;
import io.muster.live.LiveLoop;
import io.muster.notify.DeliveryFailures;
import io.muster.notify.twilio.TwilioWebhookAuth;
import io.muster.notify.twilio.TwilioWebhooks;
import io.muster.playbook.PlaybookViews;
import io.muster.readiness.ReadinessAddresses;
import io.muster.playbook.domain.Playbook;
import io.muster.roster.RosterViews;
import io.muster.roster.domain.Roster;
import io.muster.security.Principal;
import io.muster.security.RefusalLog;
import io.muster.security.Sessions;
import io.muster.security.Tickets;
import io.muster.store.AsyncDb;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The HTTP face of a node: the v1 API (validated against {@code openapi.yaml}), the Twilio
 * webhooks (validated by signature), the live websocket, probes, metrics and the dashboard.
 * Handlers turn requests into commands on the event bus and answers into HTTP.
 *
 * <p>The instance the node deploys is the first of {@code http.instances} (default: one per core;
 * the fan-out and the API's handlers scale with the cores, not beyond): it starts the live hub and
 * the live connections' sign-in check, listens, then deploys the others (child deployments, so they
 * stop with it). They listen on the same port, each on an event loop of its own, and Vert.x hands
 * new connections to them in turn: API requests and live clients are served on every event loop,
 * and a request never waits behind another loop's fan-out. What must hold per node is shared: the
 * guard (its rate limits are thread-safe), the live connections' caps, the hub.
 */
public final class HttpVerticle extends VerticleBase {
  private static final long COMMAND_TIMEOUT_MS = 15_000;

  /** As given, then as bound: the port it listens on and the public base URL (derived when unset). */
  private volatile MusterConfig config;
  /** The webhooks' signature check, made once the public base URL is known (at the latest when listening). */
  private volatile TwilioWebhookAuth twilio;
  private final OpenAPIContract contract;
  private final LiveHub hub;
  private final Roster roster;
  private final Map<String, Playbook> playbooks;
  private final AsyncDb db;
  private final PrometheusMeterRegistry metrics;
  private final String webhookToken;
  private final Guarded security;
  private final LiveConnections live;
  /** The port as configured, or -1 (a random port shared by the instances) for 0. */
  private final int listenPort;
  /** The instance that deployed this one; null for the first. */
  private final HttpVerticle first;
  private HttpServer server;
  private Router router;
  private LiveLoop liveLoop;

  /**
   * What guards the API: the gate in front of every operation, the sign-in and user operations, the
   * websocket tickets and connections, the refusal counter and the client-address rule.
   */
  record Guarded(ApiGuard guard, SecurityApi api, Tickets tickets, Sessions sessions, RefusalLog refusals,
                 ClientAddress addresses) { }

  /** A route anyone may reach, and what protects it instead of a sign-in. */
  record PublicRoute(HttpMethod method, String path, String protection) { }

  /**
   * Every route that is not an API operation, in one place. Everything else is an operation of
   * {@code openapi.yaml} behind the gate, or answers 404 (405 for a known path with another method).
   */
  static final List<PublicRoute> PUBLIC = List.of(
      new PublicRoute(HttpMethod.GET, "/health/live", "nothing to protect: it only says UP"),
      new PublicRoute(HttpMethod.GET, "/health/ready", "nothing to protect: the database is UP or DOWN"),
      new PublicRoute(HttpMethod.GET, "/metrics", "a bearer token when MUSTER_METRICS_TOKEN is set"),
      new PublicRoute(HttpMethod.GET, "/ws/live", "a single-use ticket from POST /api/v1/auth/ws-ticket, and an allowed Origin"),
      new PublicRoute(HttpMethod.POST, "/webhooks/twilio/sms", "Twilio's signature"),
      new PublicRoute(HttpMethod.POST, "/webhooks/twilio/status", "Twilio's signature"),
      new PublicRoute(HttpMethod.POST, "/webhooks/twilio/voice", "Twilio's signature"),
      new PublicRoute(HttpMethod.GET, "/webjars/uplot/*", "nothing to protect: the dashboard's chart library"),
      new PublicRoute(HttpMethod.GET, "/*", "nothing to protect: the dashboard's static files"));

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
    this.live = new LiveConnections(security.sessions(), config.limits().liveConnectionsPerUser(),
        config.limits().liveConnectionsPerAddress());
    // Port 0 would give each instance a port of its own; a negative port is Vert.x's shared random one.
    this.listenPort = config.http().port() == 0 ? -1 : config.http().port();
    this.first = null;
  }

  /** Another instance, sharing the first's configuration as bound, its port, hub, guard and live connections. */
  private HttpVerticle(HttpVerticle first) {
    this.config = first.config;
    this.twilio = first.twilio;
    this.contract = first.contract;
    this.hub = first.hub;
    this.roster = first.roster;
    this.playbooks = first.playbooks;
    this.db = first.db;
    this.metrics = first.metrics;
    this.webhookToken = first.webhookToken;
    this.security = first.security;
    this.live = first.live;
    this.listenPort = first.listenPort;
    this.first = first;
  }

  public int port() {
    return server.actualPort();
  }

  /** The configuration with the bound port and the public base URL, once {@link #start} has completed. */
  public MusterConfig boundConfig() {
    return config;
  }

  @Override
  public Future<?> start() {
    router = router();
    HeaderTimeout headers = new HeaderTimeout(vertx, config.http().headerTimeoutSeconds());
    server = vertx.createHttpServer(serverOptions(config.http()))
        .invalidRequestHandler(HttpErrors::invalidRequest)
        .connectionHandler(headers::opened)
        .requestHandler(request -> {
          headers.arrived(request);
          router.handle(request);
        });
    if (first != null) {
      return hub.join().compose(this::listen);
    }
    live.start(vertx);
    if (config.http().publicBaseUrl() != null) {
      twilio = new TwilioWebhookAuth(webhookToken, config.http().publicBaseUrl());
    }
    // The hub's timers and consumers belong to this verticle, so they stop when it is undeployed.
    return hub.start(config.dispatch().pollMs())
        .compose(v -> hub.join())
        .compose(this::listen)
        .onSuccess(listening -> bound(listening.actualPort()))
        .compose(v -> others(config.http().instances() - 1));
  }

  /** The other instances, listening on the port this one bound. */
  private Future<?> others(int count) {
    return count == 0 ? Future.succeededFuture()
        : vertx.deployVerticle(() -> new HttpVerticle(this), new DeploymentOptions().setInstances(count));
  }

  private Future<HttpServer> listen(LiveLoop loop) {
    liveLoop = loop;
    return server.listen(listenPort, config.http().host());
  }

  /**
   * Without cleartext HTTP/2 (which Muster does not serve), the connection handler runs when a
   * connection opens rather than after its first request's headers, so the header timeout covers
   * those. No websocket compression (permessage-deflate is not negotiated): the live stream's frames
   * are a few hundred bytes, and deflating every frame once per client took a quarter of the
   * fan-out's CPU time with 1,000 clients.
   */
  static HttpServerOptions serverOptions(MusterConfig.Http http) {
    return new HttpServerOptions().setTcpNoDelay(true).setHttp2ClearTextEnabled(false)
        .setIdleTimeout(http.idleTimeoutSeconds())
        .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false);
  }

  @Override
  public Future<?> stop() {
    if (liveLoop != null) {
      hub.leave(liveLoop);
    }
    return Future.succeededFuture();
  }

  /** Port 0 asked the system for a port: now it is known, and so is the public base URL derived from it. */
  private void bound(int port) {
    config = config.boundTo(port);
    if (twilio == null) {
      twilio = new TwilioWebhookAuth(webhookToken, config.http().publicBaseUrl());
    }
  }

  /** The routes: the API's operations behind the gate, the public routes, and 404 for the rest. */
  Router router() {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    // Root handlers run first on every request, the websocket's too: its upgrade has no body.
    builder.rootHandler(SecurityHeaders::add);
    BodyHandler body = BodyHandler.create(false).setBodyLimit(config.http().bodyLimitBytes());
    builder.rootHandler(ctx -> {
      if ("websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))) {
        ctx.next();
      } else {
        body.handle(ctx);
      }
    });
    Map<String, Handler<RoutingContext>> handlers = operations();
    for (OpenAPIRoute route : builder.getRoutes()) {
      Operation op = route.getOperation();
      Handler<RoutingContext> handler = handlers.remove(op.getOperationId());
      if (handler == null) {
        throw new IllegalStateException("openapi.yaml: operation " + op.getOperationId() + " has no handler");
      }
      // The gate runs before the contract's validation, so nobody learns anything from a 400 unasked.
      route.setDoValidation(false).addHandler(security.guard().guard(op)).addHandler(HttpErrors::requireJsonBody)
          .addHandler(new OperationValidation(contract, op).handler()).addHandler(handler);
    }
    if (!handlers.isEmpty()) {
      throw new IllegalStateException("handlers for operations openapi.yaml does not have: " + handlers.keySet());
    }
    Router router = builder.createRouter();
    router.route("/api/*").handler(this::notAnOperation);
    mountPublic(router);
    router.route().handler(HttpVerticle::noSuchPath);
    router.route().failureHandler(HttpErrors::handle);
    router.errorHandler(404, HttpVerticle::noSuchPath);
    return router;
  }

  /** The public routes, each of {@link #PUBLIC} and nothing else. */
  private void mountPublic(Router router) {
    Map<String, List<Handler<RoutingContext>>> handlers = new java.util.LinkedHashMap<>();
    handlers.put("/health/live", List.of(ctx -> json(ctx, 200, new JsonObject().put("status", "UP"))));
    handlers.put("/health/ready", List.of(this::ready));
    handlers.put("/metrics", List.of(this::metricsToken, PrometheusScrapingHandler.create(metrics)));
    handlers.put("/ws/live", List.of(this::live));
    // The body handler among the root handlers has read the form already.
    Handler<RoutingContext> signed = ctx -> twilio.handle(ctx);
    TwilioWebhooks webhooks = new TwilioWebhooks(vertx);
    handlers.put("/webhooks/twilio/sms", List.of(this::countRefusedWebhook, signed, webhooks.inboundSms()));
    handlers.put("/webhooks/twilio/status", List.of(this::countRefusedWebhook, signed, webhooks.deliveryStatus()));
    handlers.put("/webhooks/twilio/voice", List.of(this::countRefusedWebhook, signed, webhooks.voiceKey()));
    handlers.put("/webjars/uplot/*", List.of(StaticHandler.create("META-INF/resources/webjars/uplot")));
    // The dashboard's files are revalidated on every load, so an upgrade reaches open browsers.
    handlers.put("/*", List.of(ctx -> {
      ctx.response().putHeader("Cache-Control", "no-cache");
      ctx.next();
    }, StaticHandler.create("webroot").setCachingEnabled(false)));
    for (PublicRoute r : PUBLIC) {
      var route = router.route(r.method(), r.path());
      handlers.remove(r.path()).forEach(route::handler);
    }
    if (!handlers.isEmpty()) {
      throw new IllegalStateException("routes not declared public: " + handlers.keySet());
    }
  }

  /** Under /api/ but no operation: 405 for a known path with another method, else 404. */
  private void notAnOperation(RoutingContext ctx) {
    String path = ctx.request().path();
    boolean known = ApiGuard.canonical(path) && java.util.stream.Stream.of(HttpMethod.GET, HttpMethod.POST,
            HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)
        .anyMatch(m -> contract.findOperation(path, m) != null);
    if (known) {
      Failures.respond(ctx, ErrorCode.METHOD_NOT_ALLOWED, ctx.request().method() + " is not allowed on " + path, null);
    } else {
      security.refusals().refused(security.addresses().of(ctx.request()), "no such path", "404",
          ctx.request().method() + " " + path);
      noSuchPath(ctx);
    }
  }

  static void noSuchPath(RoutingContext ctx) {
    Failures.respond(ctx, ErrorCode.NOT_FOUND, "no such path: " + ctx.request().path(), null);
  }

  private void metricsToken(RoutingContext ctx) {
    String token = config.http().metricsToken();
    String given = ctx.request().getHeader("Authorization");
    if (token == null || (given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
        ("Bearer " + token).getBytes(StandardCharsets.UTF_8)))) {
      ctx.next();
      return;
    }
    security.refusals().refused(security.addresses().of(ctx.request()), "GET /metrics", "401", "no or wrong metrics token");
    ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"muster-metrics\"");
    Failures.respond(ctx, ErrorCode.UNAUTHORIZED, "the metrics need Authorization: Bearer <MUSTER_METRICS_TOKEN>", null);
  }

  /** A webhook refused for its signature is counted per address (the handler after this one logs it). */
  private void countRefusedWebhook(RoutingContext ctx) {
    String ip = security.addresses().of(ctx.request());
    ctx.addEndHandler(v -> {
      if (ctx.response().getStatusCode() == ErrorCode.BAD_SIGNATURE.status()) {
        security.refusals().refused(ip, "POST " + ctx.request().path(), "403", "missing or invalid Twilio signature");
      }
    });
    ctx.next();
  }

  private Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> h = new HashMap<>();
    security.api().handlers(h);
    h.put("triggerIncident", this::trigger);
    h.put("listIncidents", ctx -> command(ctx, IncidentAddresses.LIST,
        new JsonObject().put("status", ctx.request().getParam("status")), 200));
    h.put("getIncident", ctx -> command(ctx, IncidentAddresses.GET, idOf(ctx), 200));
    h.put("resolveIncident", ctx -> command(ctx, IncidentAddresses.RESOLVE, idOf(ctx), 200));
    h.put("completeTask", ctx -> command(ctx, IncidentAddresses.COMPLETE_TASK,
        idOf(ctx).put("taskId", ctx.pathParam("taskId")), 200));
    h.put("listPlaybooks", ctx -> json(ctx, 200, PlaybookViews.list(playbooks.values())));
    h.put("getPlaybook", this::playbook);
    h.put("listStaff", ctx -> db.run(() -> db.db().tx(DeliveryFailures::phoneStatuses))
        .onSuccess(states -> json(ctx, 200, visible(RosterViews.staff(roster, states), "staff", ApiGuard.principal(ctx))))
        .onFailure(t -> Failures.respond(ctx, t)));
    h.put("listFacilities", ctx -> json(ctx, 200,
        visible(RosterViews.facilities(roster), "facilities", ApiGuard.principal(ctx))));
    h.put("getReadiness", ctx -> facility(ctx, () -> command(ctx, ReadinessAddresses.GET, idOf(ctx), 200)));
    h.put("updateReadiness", ctx -> facility(ctx, () -> command(ctx, ReadinessAddresses.UPDATE,
        idOf(ctx).put("update", ctx.body().asJsonObject()), 200)));
    h.put("regionReadiness", ctx -> vertx.eventBus().<JsonObject>request(ReadinessAddresses.REGION,
            new JsonObject(), commandOptions(ctx))
        .onSuccess(reply -> json(ctx, 200, visible(reply.body(), "facilities", ApiGuard.principal(ctx))))
        .onFailure(t -> Failures.respond(ctx, t)));
    h.put("getHave", ctx -> facility(ctx, () -> xml(ctx, idOf(ctx))));
    h.put("regionHave", ctx -> {
      if (ApiGuard.principal(ctx).allFacilities()) {
        xml(ctx, new JsonObject());
      } else {
        Failures.respond(ctx, ErrorCode.FORBIDDEN, "the region's document needs access to every facility", null);
      }
    });
    return h;
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
      options.addHeader(Commands.IDEMPOTENCY_KEY, key);
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
    String ip = security.addresses().of(ctx.request());
    String origin = ctx.request().getHeader("Origin");
    if (origin != null && !SecurityHeaders.originAllowed(origin, config)) {
      security.refusals().refused(ip, "GET /ws/live", "403", "origin not allowed: " + origin);
      Failures.respond(ctx, ErrorCode.FORBIDDEN, "pages from " + origin + " may not open the live stream", "Origin");
      return;
    }
    if (security.guard().overBudget(ctx, ip)) {
      return;
    }
    ctx.request().pause();
    db.run(() -> security.tickets().redeem(ctx.request().getParam("ticket"))).onComplete(ar -> {
      ctx.request().resume();
      if (ar.failed() || ar.result().isEmpty()) {
        security.guard().spend(ip);
        security.refusals().refused(ip, "GET /ws/live", "401", "no, unknown, spent or expired ticket");
        Failures.respond(ctx, ErrorCode.UNAUTHORIZED, "a valid ticket is required: POST /api/v1/auth/ws-ticket, then"
            + " open /ws/live?ticket=...; each ticket opens one connection", "ticket");
        return;
      }
      Tickets.Holder holder = ar.result().get();
      ctx.request().toWebSocket().onSuccess(ws -> {
        if (live.admit(ws, holder, ip) == null) {
          liveLoop.attach(ws, since == null ? null : Long.valueOf(since), holder.principal());
        }
      }).onFailure(t -> Failures.respond(ctx, ErrorCode.INVALID_REQUEST, "a websocket upgrade is required", null));
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
        .addHeader(Commands.ACTOR, p.actor())
        .addHeader(Commands.FACILITIES, p.scopeHeader());
  }

  static void json(RoutingContext ctx, int status, Object body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body instanceof JsonObject o ? o.encode() : String.valueOf(body));
  }
}
