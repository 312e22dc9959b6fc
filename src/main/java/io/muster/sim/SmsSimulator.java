package io.muster.sim;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.StaticHandler;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local, Twilio-compatible SMS and voice service: the Messages API (create, fetch, list) and the
 * Calls API (create, fetch, list) that the real Twilio SDK talks to, delivery and call progress
 * status callbacks, phone inboxes, replies from those phones as signed inbound webhooks, keys pressed
 * on calls as signed {@code <Gather>} action webhooks, and injected faults ({@link #faults}). Muster's
 * embedded default sends to it; tests and benchmarks use it through the Java hooks below.
 *
 * <p>Everything runs on the Vert.x event loop of its HTTP server and never blocks it; the hooks may
 * be called from any thread. {@link #onMessage} and {@link #onCall} listeners run on the event loop:
 * they must be quick.
 */
public final class SmsSimulator {

  /** The sender a phone sees when a message came through a Messaging Service, unless set otherwise. */
  public static final String DEFAULT_SENDER_NUMBER = "+15005550006";

  private static final Logger LOG = LoggerFactory.getLogger(SmsSimulator.class);

  private final SimulatorConfig config;
  private final MessageStore store = new MessageStore();
  private final CallStore calls = new CallStore();
  private final Faults faults;
  private final List<Consumer<SimMessage>> listeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<SimCall>> callListeners = new CopyOnWriteArrayList<>();
  private volatile String inboundWebhookUrl;
  private volatile String defaultSenderNumber = DEFAULT_SENDER_NUMBER;
  private volatile String baseUrl;
  private HttpServer server;
  private WebClient webClient;
  private Delivery delivery;
  private CallFlow callFlow;
  private final HeldAnswers held = new HeldAnswers();

  public SmsSimulator(SimulatorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
    this.faults = new Faults(config.sentDelayMs(), config.deliveredDelayMs());
  }

  /** Starts listening; completes with the port actually bound. */
  public synchronized Future<Integer> start(Vertx vertx) {
    if (server != null) {
      return Future.failedFuture(new IllegalStateException("simulator already started"));
    }
    webClient = WebClient.create(vertx, new WebClientOptions().setTcpNoDelay(true).setUserAgent("TwilioProxy/1.1"));
    Webhooks webhooks = new Webhooks(webClient, config.authToken());
    delivery = new Delivery(vertx, store, webhooks, faults);
    callFlow = new CallFlow(vertx, calls, webhooks, faults);
    // TCP_NODELAY is Vert.x's default; set explicitly because small API answers must not wait on Nagle (latency).
    HttpServerOptions options = new HttpServerOptions().setHost(config.host()).setPort(config.port()).setTcpNoDelay(true);
    server = vertx.createHttpServer(options).requestHandler(router(vertx));
    return server.listen().map(this::started).onFailure(e -> stop());
  }

  /** Stops the server, the pending status changes and the webhook client. */
  public synchronized Future<Void> stop() {
    if (server == null) {
      return Future.succeededFuture();
    }
    delivery.stop();
    callFlow.stop();
    held.releaseAll();
    WebClient client = webClient;
    Future<Void> closed = server.close().eventually(() -> {
      client.close();
      return Future.succeededFuture();
    });
    server = null;
    return closed;
  }

  /** Where the simulated API is, e.g. {@code http://127.0.0.1:41234}: Twilio's base URL for the SDK. */
  public String baseUrl() {
    if (baseUrl == null) {
      throw new IllegalStateException("simulator not started");
    }
    return baseUrl;
  }

  /**
   * Where phones' replies go: the application's inbound-SMS webhook, the only URL the simulator
   * posts replies to (a reply request cannot name another); settable once the app's port is known.
   */
  public void setInboundWebhookUrl(String url) {
    this.inboundWebhookUrl = url;
  }

  /** The number replies are sent to when the phone never received anything. */
  public void setDefaultSenderNumber(String e164) {
    this.defaultSenderNumber = Phones.parse(e164).orElseThrow(() -> new IllegalArgumentException("e164: not E.164"));
  }

  /** Calls {@code listener} on the event loop for each message accepted through the API. */
  public void onMessage(Consumer<SimMessage> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Messages sent through the API to {@code e164}, oldest first, with their current status. */
  public List<SimMessage> messagesTo(String e164) {
    String number = Phones.parse(e164).orElse(e164);
    return store.matching(m -> m.outbound() && number.equals(m.to()));
  }

  /** Every message accepted through the API, oldest first (replies from phones not included). */
  public List<SimMessage> allMessages() {
    return store.matching(SimMessage::outbound);
  }

  /** Replies sent by {@code e164} through the phone view or its API, oldest first. */
  public List<SimMessage> repliesFrom(String e164) {
    String number = Phones.parse(e164).orElse(e164);
    return store.matching(m -> !m.outbound() && number.equals(m.from()));
  }

  /**
   * How many answers a hang ({@link Faults#hang}) holds back right now: requests whose client has
   * not given up yet. It drops when a client times out and closes its connection.
   */
  public int heldAnswers() {
    return held.count();
  }

  /** How many messages the API accepted since start or the last {@link #clear}. */
  public int createCount() {
    return store.createdCount();
  }

  /**
   * How many message create requests arrived since start or the last {@link #clear}, whatever
   * became of them (refused, failed by a fault, left hanging or accepted).
   */
  public int createAttempts() {
    return store.attemptCount();
  }

  /** The faults injected into the Messages and Calls APIs; changes apply at once, from any thread. */
  public Faults faults() {
    return faults;
  }

  /** Calls {@code listener} on the event loop for each call accepted through the Calls API. */
  public void onCall(Consumer<SimCall> listener) {
    callListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Every call placed through the API, oldest first, with its current status. */
  public List<SimCall> calls() {
    return calls.matching(c -> true);
  }

  /** The calls placed to {@code e164}, oldest first. */
  public List<SimCall> callsTo(String e164) {
    String number = Phones.parse(e164).orElse(e164);
    return calls.matching(c -> number.equals(c.to()));
  }

  /** The call with this SID, as it is now. */
  public Optional<SimCall> call(String callSid) {
    return calls.get(callSid);
  }

  /**
   * The phone presses {@code digits} on an answered call: the call's {@code <Gather>} action gets
   * Twilio's signed webhook with {@code Digits}. Completes with the status the action answered, or
   * fails with a {@link SimApiException} (no such call, not answered yet or ended, no Gather, the
   * webhook could not be delivered). Same as {@code POST /sim/api/calls/{callSid}/press}.
   */
  public Future<Integer> press(String callSid, String digits) {
    return started().callFlow.press(callSid, digits);
  }

  /** The phone hangs up; completes with the ended call. Same as {@code POST /sim/api/calls/{callSid}/hangup}. */
  public Future<SimCall> hangUp(String callSid) {
    return started().callFlow.hangUp(callSid);
  }

  /**
   * Forgets every message and call, resets {@link #createCount} and {@link #createAttempts}, and
   * resets the {@link #faults}; pending status changes find nothing.
   */
  public void clear() {
    store.clear();
    calls.clear();
    faults.reset();
  }

  private synchronized SmsSimulator started() {
    if (callFlow == null) {
      throw new IllegalStateException("simulator not started");
    }
    return this;
  }

  private Router router(Vertx vertx) {
    Router router = Router.router(vertx);
    CallsApi callsApi = new CallsApi(config, calls, faults, held, this::callCreated);
    TwilioApi twilioApi = new TwilioApi(config, store, faults, held, this::created, () -> defaultSenderNumber, callsApi);
    router.route(TwilioApi.MOUNT + "/*").subRouter(twilioApi.router(vertx));
    Router simApi = Router.router(vertx);
    simApi.route().handler(new SameOriginGuard(config.host())); // first: it covers every route below
    phoneApi().addRoutes(simApi);
    new CallPhoneApi(calls, callFlow).addRoutes(simApi);
    new FaultsApi(faults, store, config).addRoutes(simApi);
    router.route(PhoneApi.MOUNT + "/*").subRouter(simApi);
    router.getWithRegex("/sim").handler(ctx -> ctx.redirect("/sim/")); // relative links need the slash
    router.route("/sim/*").handler(StaticHandler.create("sim"));
    return router;
  }

  private PhoneApi phoneApi() {
    Webhooks webhooks = new Webhooks(webClient, config.authToken());
    return new PhoneApi(config, store, webhooks, () -> inboundWebhookUrl, () -> defaultSenderNumber);
  }

  private void callCreated(SimCall call) {
    callFlow.start(call);
    for (Consumer<SimCall> listener : callListeners) {
      try {
        listener.accept(call);
      } catch (RuntimeException e) {
        LOG.warn("An onCall listener failed", e);
      }
    }
  }

  private void created(SimMessage message) {
    delivery.track(message, faults.deliveryFailure(message.to()));
    for (Consumer<SimMessage> listener : listeners) {
      try {
        listener.accept(message);
      } catch (RuntimeException e) {
        LOG.warn("An onMessage listener failed", e);
      }
    }
  }

  private int started(HttpServer listening) {
    int port = listening.actualPort();
    baseUrl = "http://" + hostForUrl(config.host()) + ":" + port;
    LOG.info("SMS simulator listening on {} (phone view at {}/sim/)", baseUrl, baseUrl);
    return port;
  }

  /** A wildcard bind address is not somewhere a client can connect to. */
  private static String hostForUrl(String host) {
    if (host.equals("0.0.0.0") || host.equals("::")) {
      return "127.0.0.1";
    }
    return host.contains(":") ? "[" + host + "]" : host;
  }
}
