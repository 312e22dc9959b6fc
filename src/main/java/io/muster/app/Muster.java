package io.muster.app;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.muster.incident.domain.IncidentFacts;
import io.muster.incident.IncidentVerticle;
import io.muster.incident.Incidents;
import io.muster.incident.domain.IncidentStatus;
import io.muster.live.LiveHub;
import io.muster.notify.Handoff;
import io.muster.notify.DispatcherVerticle;
import io.muster.notify.NotifyVerticle;
import io.muster.notify.SmsPath;
import io.muster.notify.ReconcilerVerticle;
import io.muster.notify.SmsGateway;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.muster.notify.twilio.TwilioSettings;
import io.muster.notify.twilio.TwilioSmsGateway;
import io.muster.playbook.PlaybookException;
import io.muster.playbook.PlaybookLoader;
import io.muster.playbook.TimerVerticle;
import io.muster.playbook.domain.Playbook;
import io.muster.interop.HaveDocument;
import io.muster.readiness.ReadinessConfig;
import io.muster.readiness.domain.ReadinessRules;
import io.muster.readiness.ReadinessService;
import io.muster.readiness.ReadinessVerticle;
import io.muster.roster.RosterException;
import io.muster.roster.RosterLoader;
import io.muster.roster.domain.Roster;
import io.muster.security.Accounts;
import io.muster.security.AuditKey;
import io.muster.security.AuditTrail;
import io.muster.security.Checkpoints;
import io.muster.security.Passwords;
import io.muster.security.RateLimiter;
import io.muster.security.RefusalLog;
import io.muster.security.Secrets;
import io.muster.security.Sessions;
import io.muster.security.Tickets;
import io.muster.security.Tokens;
import io.muster.store.AsyncDb;
import io.muster.store.DataDirectory;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.JournalBus;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.openapi.contract.OpenAPIContract;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Muster node: Vert.x (clustered or not), the database, the loaded roster and
 * playbooks, the SMS gateway (Twilio, or the built-in simulator) and the verticles.
 */
public final class Muster {
  private static final Logger LOG = LoggerFactory.getLogger(Muster.class);

  /** As given, then (once the HTTP listener listens) with its bound port and public base URL. */
  private volatile MusterConfig config;
  private final Vertx vertx;
  private Db db;
  private SmsSimulator simulator;
  private TwilioSmsGateway gateway;
  private HttpVerticle http;
  private AuditTrail audit;
  private RefusalLog refusals;
  /** The periodic numbering pass's timer (-1: none yet). */
  private long numbering = -1;
  private String firstAdminPassword;

  private Muster(MusterConfig config, Vertx vertx) {
    this.config = config;
    this.vertx = vertx;
  }

  /**
   * Starts a node. Fails with a message that says what to fix when the configuration is wrong.
   *
   * <p>Steps that do not wait for each other run side by side: the database (opened and migrated)
   * and the roster, playbooks and readiness settings are read on threads of their own while
   * Vert.x starts (and, clustered, joins the cluster); once Vert.x is up, the simulator starts and
   * the SMS client warms up, and the API contract is parsed, while the features are wired on the
   * database. The HTTP listener opens once all that it serves is there; the SMS dispatcher starts
   * once the SMS client is warm.
   */
  public static Future<Muster> start(MusterConfig config) {
    if (config.cluster().enabled() && !config.db().postgres()) {
      return Future.failedFuture(new IllegalStateException("cluster mode needs PostgreSQL: an embedded H2 database"
          + " on each node is not shared state. Set MUSTER_DB_URL to a jdbc:postgresql:// URL, or turn cluster mode off."));
    }
    if (config.cluster().enabled()) {
      try {
        Clustering.check(config.cluster());
      } catch (IllegalArgumentException e) {
        return Future.failedFuture(e);
      }
    }
    long began = System.nanoTime();
    Future<Db> db = onThread("muster-start-db", () -> timed("database opened and migrated", began, () -> openDb(config)));
    Future<Loaded> files = onThread("muster-start-files", () -> timed("roster, playbooks and readiness settings read",
        began, () -> load(config)));
    Future<Accounts.FirstAdmin> admin = firstAdminAhead(config, began);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
    var builder = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry));
    Future<Vertx> vertx = config.cluster().enabled()
        ? Clustering.configure(builder, options, config.cluster()).buildClustered()
        : Future.succeededFuture(builder.build());
    Promise<Muster> started = Promise.promise();
    vertx.onFailure(t -> Future.join(db, files, admin).onComplete(ar -> {
      db.onSuccess(Db::close);
      started.fail(t);
    })).onSuccess(v -> {
      LOG.debug("start: Vert.x{} up after {} ms", config.cluster().enabled() ? " (clustered)" : "", sinceMs(began));
      Muster muster = new Muster(config, v);
      muster.boot(registry, db, files, admin, began).onSuccess(ok -> {
        LOG.debug("start: node {} started after {} ms", config.nodeId(), sinceMs(began));
        started.complete(muster);
      }).onFailure(t -> {
        LOG.error("node {} cannot start: {}", config.nodeId(), t.getMessage(), expected(t) ? null : t);
        // Completed from the close callback, not through a future of the closed Vert.x instance,
        // whose listeners would never run: a caller waiting on it would hang.
        muster.stop().onComplete(ar -> started.fail(t));
      });
    });
    return started.future();
  }

  /** A configuration or file problem: its message says it all, a stack trace would only hide it. */
  private static boolean expected(Throwable t) {
    return t instanceof RosterException || t instanceof PlaybookException || t instanceof IllegalArgumentException;
  }

  private static Db openDb(MusterConfig config) {
    return Db.open(config.db().url(), config.db().user(), config.db().password(), config.db().poolSize(),
        config.db().ownerUser(), config.db().ownerPassword());
  }

  /**
   * On a first start of the embedded database (its file does not exist yet) the first
   * administrator will be needed: its password is hashed now, while the database is made, rather
   * than after. Otherwise (succeeded with null) it is made only if the database has no user.
   */
  private static Future<Accounts.FirstAdmin> firstAdminAhead(MusterConfig config, long began) {
    if (!DataDirectory.newH2Database(config.db().url())) {
      return Future.succeededFuture();
    }
    MusterConfig.Security s = config.security();
    return onThread("muster-start-admin", () -> timed("first administrator's password hashed", began,
        () -> Accounts.firstAdmin(new Passwords(s.bcryptCost()), s.adminPassword())));
  }

  private static Loaded load(MusterConfig config) {
    EventCatalog.check();
    Roster roster = RosterLoader.load(Path.of(config.files().roster()));
    Map<String, Playbook> playbooks = PlaybookLoader.loadDir(Path.of(config.files().playbooks()), roster.roles());
    ReadinessRules readiness = ReadinessConfig.load(config.files().readiness() == null ? null
        : Path.of(config.files().readiness()));
    for (ReadinessRules.Threshold t : readiness.thresholds()) {
      if (!playbooks.containsKey(t.trigger())) {
        throw new IllegalArgumentException(config.files().readiness() + ": threshold " + t.id()
            + " triggers '" + t.trigger() + "', which is not a loaded playbook");
      }
    }
    return new Loaded(roster, playbooks, readiness);
  }

  /**
   * The rest of the start, once Vert.x is up. The database is kept (and closed by {@link #stop})
   * even when something else failed, so that waiting for both before failing leaks nothing.
   */
  private Future<Void> boot(PrometheusMeterRegistry registry, Future<Db> opened, Future<Loaded> files,
                            Future<Accounts.FirstAdmin> admin, long began) {
    Future<String> token = sms();
    Future<Void> warm = token.compose(t -> vertx.executeBlocking(() -> {
      gateway.warmUp();
      LOG.debug("start: SMS client warm after {} ms", sinceMs(began));
      return null;
    }, false));
    Future<OpenAPIContract> contract = OpenAPIContract.from(vertx, "openapi.yaml")
        .onSuccess(c -> LOG.debug("start: API contract parsed after {} ms", sinceMs(began)));
    Future<Wired> wired = Future.join(opened.onSuccess(d -> db = d), files, token, admin)
        .compose(v -> vertx.executeBlocking(() -> wire(files.result(), admin.result()), false))
        .onSuccess(w -> LOG.debug("start: features wired after {} ms", sinceMs(began)));
    return Future.join(wired, contract)
        .compose(v -> deploy(wired.result(), token.result(), contract.result(), registry, warm));
  }

  private record Loaded(Roster roster, Map<String, Playbook> playbooks, ReadinessRules readiness) { }

  /** The features on the database, with what the first start makes: the audit anchor, the administrator, the facilities. */
  private record Wired(Loaded loaded, AsyncDb async, Features features, HttpVerticle.Guarded security) { }

  /** Starts the simulator when no Twilio account is configured; returns the webhook signing token. */
  private Future<String> sms() {
    MusterConfig.Sms sms = config.sms();
    if (!sms.embeddedSimulator()) {
      return vertx.executeBlocking(() -> {
        gateway = new TwilioSmsGateway(new TwilioSettings(sms.accountSid(), sms.authToken(), sender(sms), sms.apiBaseUrl()));
        return sms.authToken();
      }, false);
    }
    String accountSid = "AC" + randomHex(16);
    String token = randomHex(16);
    simulator = new SmsSimulator(new SimulatorConfig(sms.simulatorHost(), sms.simulatorPort(), accountSid, token, 200, 800));
    // Its inbound webhook is set once the node listens (deploy): with port 0 the URL is known only then.
    // The SDK's client takes a while to build: not on the event loop.
    return simulator.start(vertx).compose(port -> vertx.executeBlocking(() -> {
      gateway = new TwilioSmsGateway(new TwilioSettings(accountSid, token, sender(sms), simulator.baseUrl()));
      return token;
    }, false));
  }

  /**
   * Blocking: wires the features on the opened database and does what a first start must before
   * the API opens. {@code admin}: the first administrator made ahead, or null.
   */
  private Wired wire(Loaded loaded, Accounts.FirstAdmin admin) {
    Clock clock = Clock.tickMillis(java.time.ZoneOffset.UTC);
    AsyncDb async = new AsyncDb(vertx, db, config.db().poolSize() * 2);
    Duration receiptOverdue = Duration.ofSeconds(config.sms().reconcileAfterSeconds());
    Features features = Features.wire(db, clock, loaded.roster(), loaded.playbooks(), loaded.readiness(),
        new Features.Settings(config.nodeId(), Duration.ofSeconds(config.dispatch().leaseSeconds()),
            config.sms().messagesPerSecond(), Duration.ofSeconds(config.sms().undeliveredRetrySeconds()), receiptOverdue));
    HttpVerticle.Guarded security = security(async, clock, loaded.roster());
    ReadinessService readiness = features.readiness();
    db.sequence();   // what a crash left provisional, before anything reads the journal
    audit.open();
    firstAdminPassword = (admin == null ? accounts.ensureAdmin(config.security().adminPassword())
        : accounts.ensureAdmin(() -> admin)).orElse(null);
    readiness.ensureFacilities();
    int replayed = readiness.rebuildFromJournal();
    if (replayed > 0) {
      LOG.info("readiness board rebuilt from {} journal updates", replayed);
    }
    return new Wired(loaded, async, features, security);
  }

  private Future<Void> deploy(Wired wired, String webhookToken, OpenAPIContract contract,
                              PrometheusMeterRegistry registry, Future<Void> warm) {
    Loaded loaded = wired.loaded();
    AsyncDb async = wired.async();
    Features features = wired.features();
    Incidents incidents = features.incidents();
    ReadinessService readiness = features.readiness();
    SmsGateway sms = gateway;
    LiveHub hub = new LiveHub(vertx, async, () -> snapshot(incidents), config.nodeId(), EventCatalog.broadcast());
    // Journal events reach this node's live stream once numbered; rows a writer left provisional
    // (it died between its commit and the numbering) are numbered by the next pass of any node.
    db.onNumbered(events -> JournalBus.publish(vertx.eventBus(), events));
    // The pages a transaction queues are claimed in it for this node's dispatcher, which sends them
    // once it committed.
    Handoff handoff = new Handoff(features.outbox());
    db.onCommit(handoff);
    numbering = vertx.setPeriodic(config.dispatch().pollMs(), id -> async.run(() -> {
      db.sequence();
      return null;
    }));
    http = new HttpVerticle(config, contract, hub, loaded.roster(), loaded.playbooks(), async, registry, webhookToken,
        wired.security());
    // One after another, in the wiring's order.
    return Future.succeededFuture()
          .compose(v -> vertx.deployVerticle(new IncidentVerticle(incidents, features.thresholds(), async,
              config.dispatch().pollMs())))
          .compose(v -> vertx.deployVerticle(new ReadinessVerticle(readiness, async, HaveDocument::toXml)))
          .compose(v -> vertx.deployVerticle(new NotifyVerticle(features.inbox(), async)))
          .compose(v -> vertx.deployVerticle(new TimerVerticle(features.timers(), async, config.dispatch().pollMs())))
          // The HTTP listener before the senders: their status callbacks go to the public base URL,
          // which with port 0 is derived from the port the listener was given.
          .compose(v -> vertx.deployVerticle(http))
          .compose(v -> listening(http.boundConfig()))
          // The senders once the SMS client is warm: a first page is not slowed by its cold start.
          .compose(v -> warm)
          .compose(v -> vertx.deployVerticle(new DispatcherVerticle(features.outbox(), handoff, sms, gateway, async,
              config.http().publicBaseUrl(),
              config.dispatch().pollMs(), config.dispatch().sendThreads(), config.nodeId(),
              config.sms().breakerOpenSeconds())))
          .compose(v -> vertx.deployVerticle(new ReconcilerVerticle(features.reconciler(), sms, gateway, async)))
          .mapEmpty();
  }

  /**
   * Runs {@code task} on a thread of its own (start work that needs no Vert.x and may run while
   * Vert.x starts); the future completes on that thread.
   */
  private static <T> Future<T> onThread(String name, java.util.concurrent.Callable<T> task) {
    Promise<T> done = Promise.promise();
    Thread thread = new Thread(() -> {
      try {
        done.complete(task.call());
      } catch (Throwable t) {
        done.fail(t);
      }
    }, name);
    thread.setDaemon(true);
    thread.start();
    return done.future();
  }

  private static <T> T timed(String what, long began, java.util.function.Supplier<T> step) {
    T result = step.get();
    LOG.debug("start: {} after {} ms", what, sinceMs(began));
    return result;
  }

  private static long sinceMs(long began) {
    return (System.nanoTime() - began) / 1_000_000;
  }

  /** The node listens: its configuration now has the bound port and the public base URL. */
  private Future<Void> listening(MusterConfig bound) {
    config = bound;
    if (simulator != null) {
      simulator.setInboundWebhookUrl(config.http().publicBaseUrl() + "/webhooks/twilio/sms");
    }
    return Future.succeededFuture();
  }

  private Accounts accounts;

  private HttpVerticle.Guarded security(AsyncDb async, Clock clock, Roster roster) {
    MusterConfig.Security s = config.security();
    MusterConfig.Limits limits = config.limits();
    Set<String> facilities = new HashSet<>();
    roster.facilities().forEach(f -> facilities.add(f.id()));
    accounts = new Accounts(db, clock, new Passwords(s.bcryptCost()), facilities);
    Tokens tokens = new Tokens(vertx, Secrets.jwtSecret(s.jwtSecret(), s.jwtSecretFile(), config.cluster().enabled()), s.issuer(), s.tokenMinutes());
    Sessions sessions = new Sessions(accounts::standing, accounts::key, tokens, async, 1000, System::nanoTime);
    Tickets tickets = new Tickets(db, clock);
    audit = new AuditTrail(async, clock, AuditKey.of(Secrets.auditKey(s.auditKey(), s.auditKeyFile(),
        config.cluster().enabled())), config.nodeId(), new Checkpoints(Path.of(s.auditCheckpointFile())));
    audit.start(vertx, 200);
    refusals = new RefusalLog(audit, clock);
    refusals.start(vertx, limits.refusalWindowSeconds());
    RateLimiter perCaller = new RateLimiter(s.requestsPerSecond(), s.burst(), System::nanoTime);
    RateLimiter logins = new RateLimiter(s.loginsPerMinute() / 60.0, s.loginsPerMinute(), System::nanoTime);
    RateLimiter anonymous = new RateLimiter(limits.anonymousPerSecond(), limits.anonymousBurst(), System::nanoTime);
    vertx.setPeriodic(60_000, id -> {
      perCaller.sweep();
      logins.sweep();
      anonymous.sweep();
    });
    JsonObject about = new JsonObject().put("nodeId", config.nodeId())
        .put("simulatorUrl", simulator == null ? null : simulator.baseUrl() + "/sim/");
    ClientAddress addresses = new ClientAddress(config.http().trustedProxies());
    ApiGuard guard = new ApiGuard(sessions, perCaller, logins, anonymous, audit, refusals, addresses);
    return new HttpVerticle.Guarded(guard, new SecurityApi(async, accounts, tokens, sessions, tickets, audit, about),
        tickets, sessions, refusals, addresses);
  }

  /** The password of the administrator this start created (only when it made one up), else null. */
  public String firstAdminPassword() {
    return firstAdminPassword;
  }

  /**
   * The live stream's snapshot: the journal head first, then the active incidents and whether SMS
   * is degraded (the newest of the breaker's events says).
   */
  private JsonObject snapshot(Incidents incidents) {
    long seq = db.tx(Journal::head);
    boolean degraded = db.tx(SmsPath::degraded);
    JsonArray active = new JsonArray();
    incidents.list(IncidentStatus.ACTIVE, 500).forEach(i -> active.add(JsonObject.mapFrom(IncidentFacts.of(i))));
    return new JsonObject().put("seq", seq).put("incidents", active)
        .put("sms", new JsonObject().put("degraded", degraded));
  }

  public Vertx vertx() {
    return vertx;
  }

  public MusterConfig config() {
    return config;
  }

  /** The port the HTTP listener listens on: the configured one, or the one the system chose for port 0. */
  public int httpPort() {
    return http.port();
  }

  /** The simulator, when this node runs one (no Twilio account configured), else null. */
  public SmsSimulator simulator() {
    return simulator;
  }

  public Future<Void> stop() {
    vertx.cancelTimer(numbering);   // its pass would find the database pool closing
    if (audit != null) {
      try {
        refusals.flush();
        audit.drain();
      } catch (RuntimeException e) {
        LOG.warn("audit entries pending at stop could not be written: {}", e.toString());
      }
    }
    return vertx.close().onComplete(ar -> {
      if (gateway != null) {
        gateway.close();
      }
      if (db != null) {
        db.close();
      }
      LOG.info("node {} stopped", config.nodeId());
    });
  }

  private static String sender(MusterConfig.Sms sms) {
    return sms.messagingServiceSid() != null && !sms.messagingServiceSid().isBlank() ? sms.messagingServiceSid() : sms.from();
  }

  private static String randomHex(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
