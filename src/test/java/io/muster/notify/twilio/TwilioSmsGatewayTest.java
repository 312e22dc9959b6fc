package io.muster.notify.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import io.muster.notify.OutboundSms;
import io.muster.notify.ProviderStatus;
import io.muster.notify.SentMessage;
import io.muster.notify.SmsException;
import io.muster.sim.RecordingServer;
import io.muster.sim.RecordingServer.Received;
import io.muster.sim.SimMessage;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("Twilio SMS gateway (real SDK) against the simulator")
class TwilioSmsGatewayTest {

  private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
  private static final String TOKEN = "sim-auth-token";
  private static final String SENDER = "+15005550006";
  private static final String NURSE = "+15551230001";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private SmsSimulator simulator;

  @BeforeEach
  void startSimulator(Vertx vertx) {
    simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, ACCOUNT, TOKEN, 20, 20));
    simulator.start(vertx).await();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    simulator.stop().await();
  }

  @Test
  @DisplayName("a sent SMS lands in the phone's inbox under the SID the gateway returns")
  void sendReachesInbox() {
    SentMessage sent = gateway(simulator.baseUrl(), TOKEN).send(new OutboundSms(NURSE, "MCI at North. Can you come in? Reply 1, 2 or 3", null));

    assertThat(sent.sid()).matches("SM[0-9a-f]{32}");
    assertThat(sent.status()).isEqualTo("queued");
    assertThat(simulator.messagesTo(NURSE)).singleElement().satisfies(m -> {
      assertThat(m.sid()).isEqualTo(sent.sid());
      assertThat(m.body()).isEqualTo("MCI at North. Can you come in? Reply 1, 2 or 3");
      assertThat(m.from()).isEqualTo(SENDER);
    });
    assertThat(simulator.createCount()).isEqualTo(1);
  }

  @Test
  @DisplayName("a Messaging Service sender is passed as MessagingServiceSid")
  void messagingServiceSender() {
    String service = "MG0123456789abcdef0123456789abcdef";
    TwilioSmsGateway gateway = track(new TwilioSmsGateway(new TwilioSettings(ACCOUNT, TOKEN, service, simulator.baseUrl())));

    gateway.send(new OutboundSms(NURSE, "All clear", null));

    assertThat(simulator.messagesTo(NURSE)).singleElement()
        .satisfies(m -> assertThat(m.messagingServiceSid()).isEqualTo(service));
  }

  @Test
  @DisplayName("status callbacks 'sent' then 'delivered' arrive, signed as Twilio signs them")
  void statusCallbacks(Vertx vertx) throws InterruptedException {
    RecordingServer app = RecordingServer.answering200(vertx);
    String callback = app.url("/webhooks/twilio/status?notification=42");

    SentMessage sent = gateway(simulator.baseUrl(), TOKEN).send(new OutboundSms(NURSE, "Code red, east wing", callback));

    Received first = app.next(WAIT);
    Received second = app.next(WAIT);
    assertThat(List.of(first.params().get("MessageStatus"), second.params().get("MessageStatus"))).containsExactly("sent", "delivered");
    for (Received r : List.of(first, second)) {
      assertThat(r.pathAndQuery()).isEqualTo("/webhooks/twilio/status?notification=42");
      assertThat(r.params()).containsEntry("MessageSid", sent.sid()).containsEntry("To", NURSE).containsEntry("AccountSid", ACCOUNT);
      assertThat(TwilioSignature.valid(TOKEN, callback, r.params(), r.signature())).isTrue();
    }
    assertThat(simulator.messagesTo(NURSE).get(0).status()).isEqualTo("delivered");
    app.close();
  }

  @Test
  @DisplayName("a reply typed on a simulated phone passes Muster's webhook authentication")
  void replyPassesWebhookAuth(Vertx vertx) {
    List<Map<String, String>> accepted = new CopyOnWriteArrayList<>();
    Router router = Router.router(vertx);
    HttpServer app = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    String publicBase = "http://127.0.0.1:" + app.actualPort();
    router.post("/webhooks/twilio/sms").handler(BodyHandler.create(false)).handler(new TwilioWebhookAuth(TOKEN, publicBase))
        .handler(ctx -> {
          accepted.add(ctx.get(TwilioWebhookAuth.PARAMS));
          ctx.response().setStatusCode(204).end();
        });
    simulator.setInboundWebhookUrl(publicBase + "/webhooks/twilio/sms?facility=north");
    gateway(simulator.baseUrl(), TOKEN).send(new OutboundSms(NURSE, "Can you come in? 1 = within 30 min", null));

    WebClient web = WebClient.create(vertx);
    JsonObject answer = web.postAbs(simulator.baseUrl() + "/sim/api/phones/%2B15551230001/reply")
        .sendJsonObject(new JsonObject().put("body", "1")).await().bodyAsJsonObject();
    web.close();

    assertThat(answer.getInteger("webhookStatus")).isEqualTo(204);
    assertThat(accepted).singleElement().satisfies(params -> assertThat(params)
        .containsEntry("From", NURSE).containsEntry("To", SENDER).containsEntry("Body", "1")
        .containsEntry("MessageSid", answer.getString("messageSid")));
    app.close().await();
  }

  @Test
  @DisplayName("findSent finds an accepted message by recipient and exact body")
  void findSentFindsIt() {
    TwilioSmsGateway gateway = gateway(simulator.baseUrl(), TOKEN);
    Instant before = Instant.now();
    SentMessage sent = gateway.send(new OutboundSms(NURSE, "Rollcall: reply 1 if you can come", null));
    gateway.send(new OutboundSms("+15551230002", "Rollcall: reply 1 if you can come", null));

    Optional<SentMessage> found = gateway.findSent(NURSE, "Rollcall: reply 1 if you can come", before);

    assertThat(found).map(SentMessage::sid).contains(sent.sid());
  }

  @Test
  @DisplayName("findSent does not match a different body, another phone, or an earlier time window")
  void findSentMisses() {
    TwilioSmsGateway gateway = gateway(simulator.baseUrl(), TOKEN);
    Instant before = Instant.now();
    gateway.send(new OutboundSms(NURSE, "Rollcall: reply 1 if you can come", null));

    assertThat(gateway.findSent(NURSE, "Rollcall: reply 1 if you can come!", before)).isEmpty();
    assertThat(gateway.findSent("+15551230009", "Rollcall: reply 1 if you can come", before)).isEmpty();
    assertThat(gateway.findSent(NURSE, "Rollcall: reply 1 if you can come", before.plusSeconds(60))).isEmpty();
  }

  @Test
  @DisplayName("status asks the provider for one message by its SID: its status now and its error code")
  void statusFetchesTheMessage() throws InterruptedException {
    TwilioSmsGateway gateway = gateway(simulator.baseUrl(), TOKEN);
    simulator.faults().numberFails("+15551230002", 30003);
    SentMessage delivered = gateway.send(new OutboundSms(NURSE, "Code red", null));
    SentMessage undelivered = gateway.send(new OutboundSms("+15551230002", "Code red", null));
    Awaitility.await("both final").atMost(WAIT).pollInterval(Duration.ofMillis(20))
        .until(() -> "delivered".equals(simulator.messagesTo(NURSE).get(0).status())
            && "undelivered".equals(simulator.messagesTo("+15551230002").get(0).status()));

    assertThat(gateway.status(delivered.sid())).isEqualTo(new ProviderStatus("delivered", null));
    assertThat(gateway.status(undelivered.sid())).isEqualTo(new ProviderStatus("undelivered", 30003));
    SmsException unknown = catchThrowableOfType(SmsException.class, () -> gateway.status("SM" + "0".repeat(32)));
    assertThat(unknown.httpStatus()).isEqualTo(404);
    assertThat(unknown.retryable()).isFalse();
  }

  @Test
  @DisplayName("callStatus asks the provider for one call by its SID")
  void callStatusFetchesTheCall() {
    TwilioSmsGateway gateway = gateway(simulator.baseUrl(), TOKEN);
    simulator.faults().delays(-1, -1);
    SentMessage call = gateway.call(NURSE, "Code red", "http://127.0.0.1:1/keys", null);

    assertThat(gateway.callStatus(call.sid())).isEqualTo(new ProviderStatus(simulator.call(call.sid()).orElseThrow().status(),
        null));
  }

  @Test
  @DisplayName("findCalls finds the calls from our number to the phone created since the given time, oldest first")
  void findCallsFindsThem() throws InterruptedException {
    TwilioSmsGateway gateway = gateway(simulator.baseUrl(), TOKEN);
    Instant before = Instant.now();
    SentMessage first = gateway.call(NURSE, "Code red", "http://127.0.0.1:1/keys", null);
    // distinct creation times (the order is Twilio's date_created): the clock has moved past the first's
    Instant firstCreated = Instant.now();
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(1))
        .until(() -> Instant.now().isAfter(firstCreated.plusMillis(1)));
    SentMessage second = gateway.call(NURSE, "Code red again", "http://127.0.0.1:1/keys", null);
    gateway.call("+15551230002", "Code red", "http://127.0.0.1:1/keys", null);
    Call.creator(new PhoneNumber(NURSE), new PhoneNumber("+15005550007"), new Twiml("<Response/>")).create(sdkClient());

    List<SentMessage> found = gateway.findCalls(NURSE, before);

    assertThat(found).extracting(SentMessage::sid).containsExactly(first.sid(), second.sid());
    assertThat(gateway.findCalls("+15551230009", before)).isEmpty();
    assertThat(gateway.findCalls(NURSE, before.plusSeconds(60))).isEmpty();
  }

  @Test
  @DisplayName("a call whose answer was lost is ambiguous, and findCalls finds it while it is still queued (no start time yet)")
  void findCallsFindsLostCall() {
    TwilioSmsGateway impatient = track(new TwilioSmsGateway(new TwilioSettings(ACCOUNT, TOKEN, SENDER, simulator.baseUrl(),
        Duration.ofSeconds(2), Duration.ofMillis(400))));
    simulator.faults().delays(-1, -1).hangCalls(true); // queued for good, and the create is never answered
    Instant before = Instant.now();

    SmsException e = catchThrowableOfType(SmsException.class,
        () -> impatient.call(NURSE, "Code red", "http://127.0.0.1:1/keys", null));

    assertThat(e.ambiguous()).isTrue();
    assertThat(e.retryable()).isTrue();
    assertThat(simulator.callsTo(NURSE)).singleElement().satisfies(c -> {
      assertThat(c.status()).isEqualTo("queued");
      assertThat(c.startTime()).isNull();
    });
    assertThat(impatient.findCalls(NURSE, before)).extracting(SentMessage::sid)
        .containsExactly(simulator.callsTo(NURSE).get(0).sid());
  }

  @Test
  @DisplayName("a wrong auth token fails with 401 and Twilio's code, not retryable, not ambiguous")
  void wrongAuthToken() {
    SmsException e = catchThrowableOfType(SmsException.class,
        () -> gateway(simulator.baseUrl(), "wrong-token").send(new OutboundSms(NURSE, "hello", null)));

    assertThat(e.httpStatus()).isEqualTo(401);
    assertThat(e.errorCode()).isEqualTo(20003);
    assertThat(e.retryable()).isFalse();
    assertThat(e.ambiguous()).isFalse();
    assertThat(simulator.createCount()).isZero();
  }

  @Test
  @DisplayName("a message without a To number is rejected with Twilio's 21604")
  void missingToRejected() {
    OneAttemptHttpClient http = track(new OneAttemptHttpClient(simulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    TwilioRestClient client = new TwilioRestClient.Builder(ACCOUNT, TOKEN).httpClient(http).build();

    ApiException e = catchThrowableOfType(ApiException.class,
        () -> Message.creator(new PhoneNumber(""), new PhoneNumber(SENDER), "hello").create(client));
    SmsException mapped = TwilioSmsGateway.translate(e, http.lastStatus());

    assertThat(e.getCode()).isEqualTo(21604);
    assertThat(mapped.httpStatus()).isEqualTo(400);
    assertThat(mapped.errorCode()).isEqualTo(21604);
    assertThat(mapped.retryable()).isFalse();
    assertThat(simulator.createCount()).isZero();
  }

  @Test
  @DisplayName("nothing listening: fails with status 0, retryable, and not ambiguous (nothing was sent)")
  void connectionRefused() throws IOException {
    String nowhere = "http://127.0.0.1:" + freePort();

    SmsException e = catchThrowableOfType(SmsException.class,
        () -> gateway(nowhere, TOKEN).send(new OutboundSms(NURSE, "hello", null)));

    assertThat(e.httpStatus()).isZero();
    assertThat(e.ambiguous()).isFalse();
    assertThat(e.retryable()).isTrue();
  }

  @Test
  @DisplayName("no answer within the response timeout: ambiguous (the message may exist), status 0")
  void responseTimeout(Vertx vertx) throws InterruptedException {
    RecordingServer silent = RecordingServer.start(vertx, 0, "");
    TwilioSmsGateway gateway = track(new TwilioSmsGateway(new TwilioSettings(ACCOUNT, TOKEN, SENDER, silent.baseUrl(),
        Duration.ofSeconds(2), Duration.ofMillis(300))));

    long started = System.nanoTime();
    SmsException e = catchThrowableOfType(SmsException.class, () -> gateway.send(new OutboundSms(NURSE, "hello", null)));

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(e.httpStatus()).isZero();
    assertThat(e.ambiguous()).isTrue();
    assertThat(silent.next(WAIT).method()).isEqualTo("POST");
    assertThat(silent.pending()).isZero();
    silent.close();
  }

  @Nested
  @DisplayName("no hidden retries")
  class NoHiddenRetries {

    @ParameterizedTest(name = "send answered {0}: exactly one request")
    @ValueSource(ints = {500, 503, 429})
    @DisplayName("a send that fails with a server error or throttling is sent exactly once")
    void sendIsTriedOnce(int status, Vertx vertx) throws InterruptedException {
      RecordingServer failing = RecordingServer.start(vertx, status, twilioError(status));

      assertThatThrownBy(() -> gateway(failing.baseUrl(), TOKEN).send(new OutboundSms(NURSE, "hello", null)))
          .isInstanceOfSatisfying(SmsException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(status);
            assertThat(e.retryable()).isTrue();
          });

      assertThat(failing.next(WAIT).method()).isEqualTo("POST");
      // No wait: the call has returned, so any retry of the SDK's (100 ms later) or Apache HttpClient's
      // (1 s later) was made within it, and the server records each request before it answers.
      assertThat(failing.pending()).isZero();
      failing.close();
    }

    @ParameterizedTest(name = "lookup answered {0}: exactly one request")
    @ValueSource(ints = {500, 503})
    @DisplayName("a lookup (an idempotent GET) that fails is sent exactly once")
    void lookupIsTriedOnce(int status, Vertx vertx) throws InterruptedException {
      RecordingServer failing = RecordingServer.start(vertx, status, twilioError(status));

      assertThatThrownBy(() -> gateway(failing.baseUrl(), TOKEN).findSent(NURSE, "hello", Instant.now()))
          .isInstanceOfSatisfying(SmsException.class, e -> assertThat(e.httpStatus()).isEqualTo(status));

      assertThat(failing.next(WAIT).method()).isEqualTo("GET");
      // No wait: the call has returned (a retry would have been within it) and each request is recorded before its answer.
      assertThat(failing.pending()).isZero();
      failing.close();
    }

    @Test
    @DisplayName("a call lookup that fails is sent exactly once, to Twilio's Calls list filtered on To and From")
    void callLookupIsTriedOnce(Vertx vertx) throws InterruptedException {
      RecordingServer failing = RecordingServer.start(vertx, 503, twilioError(503));

      assertThatThrownBy(() -> gateway(failing.baseUrl(), TOKEN).findCalls(NURSE, Instant.now()))
          .isInstanceOfSatisfying(SmsException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(503);
            assertThat(e.retryable()).isTrue();
          });

      Received request = failing.next(WAIT);
      assertThat(request.method()).isEqualTo("GET");
      assertThat(request.pathAndQuery()).startsWith("/2010-04-01/Accounts/" + ACCOUNT + "/Calls.json?")
          .contains("To=%2B15551230001").contains("From=%2B15005550006");
      // No wait: the call has returned (a retry would have been within it) and each request is recorded before its answer.
      assertThat(failing.pending()).isZero();
      failing.close();
    }

    @Test
    @DisplayName("a non-JSON error page still reports its HTTP status")
    void nonJsonError(Vertx vertx) throws InterruptedException {
      RecordingServer proxy = RecordingServer.start(vertx, 502, "<html>Bad gateway</html>");

      assertThatThrownBy(() -> gateway(proxy.baseUrl(), TOKEN).send(new OutboundSms(NURSE, "hello", null)))
          .isInstanceOfSatisfying(SmsException.class, e -> {
            assertThat(e.httpStatus()).isEqualTo(502);
            assertThat(e.ambiguous()).isFalse();
          });
      assertThat(proxy.next(WAIT).method()).isEqualTo("POST");
      proxy.close();
    }
  }

  @Test
  @DisplayName("the request goes to the configured base URL, on Twilio's path")
  void requestPath(Vertx vertx) throws InterruptedException {
    RecordingServer fake = RecordingServer.start(vertx, 500, twilioError(500));

    assertThatThrownBy(() -> gateway(fake.baseUrl() + "/", TOKEN).send(new OutboundSms(NURSE, "hello", null)))
        .isInstanceOf(SmsException.class);

    Received request = fake.next(WAIT);
    assertThat(request.pathAndQuery()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json");
    assertThat(request.params()).containsEntry("To", NURSE).containsEntry("From", SENDER).containsEntry("Body", "hello");
    fake.close();
  }

  @Test
  @DisplayName("the gateway serves several threads at once")
  void concurrentSends() throws Exception {
    TwilioSmsGateway gateway = gateway(simulator.baseUrl(), TOKEN);
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 8; i++) {
      String to = "+1555123100" + i;
      Thread thread = new Thread(() -> {
        try {
          for (int j = 0; j < 5; j++) {
            gateway.send(new OutboundSms(to, "message " + j, null));
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(failures).isEmpty();
    assertThat(simulator.createCount()).isEqualTo(40);
    assertThat(simulator.allMessages()).extracting(SimMessage::sid).doesNotHaveDuplicates();
  }

  private TwilioSmsGateway gateway(String baseUrl, String token) {
    return track(new TwilioSmsGateway(new TwilioSettings(ACCOUNT, token, SENDER, baseUrl)));
  }

  private TwilioRestClient sdkClient() {
    OneAttemptHttpClient http = track(new OneAttemptHttpClient(simulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    return new TwilioRestClient.Builder(ACCOUNT, TOKEN).httpClient(http).build();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  private static String twilioError(int status) {
    return "{\"code\":20500,\"message\":\"Internal Server Error\",\"more_info\":\"https://www.twilio.com/docs/errors/20500\",\"status\":" + status + "}";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
