package io.muster.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import io.muster.notify.OutboundSms;
import io.muster.notify.SentMessage;
import io.muster.notify.SmsException;
import io.muster.notify.twilio.OneAttemptHttpClient;
import io.muster.notify.twilio.TwilioSettings;
import io.muster.notify.twilio.TwilioSignature;
import io.muster.notify.twilio.TwilioSmsGateway;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
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
@DisplayName("SMS simulator fault injection, seen through the real Twilio SDK")
class SimulatorFaultsTest {

  private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
  private static final String TOKEN = "sim-auth-token";
  private static final String SENDER = "+15005550006";
  private static final String NURSE = "+15551230001";
  private static final String OTHER = "+15551230002";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private SmsSimulator simulator;
  private TwilioSmsGateway gateway;
  private WebClient web;

  @BeforeEach
  void start(Vertx vertx) {
    simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, ACCOUNT, TOKEN, 20, 20));
    simulator.start(vertx).await();
    gateway = track(new TwilioSmsGateway(new TwilioSettings(ACCOUNT, TOKEN, SENDER, simulator.baseUrl())));
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    web.close();
    simulator.stop().await();
  }

  @Nested
  @DisplayName("Java API")
  class JavaApi {

    @ParameterizedTest(name = "outage {0}")
    @ValueSource(ints = {500, 503})
    @DisplayName("an outage answers every create with its status and Twilio's code until it ends")
    void outage(int status) {
      simulator.faults().outage(status);

      for (int i = 0; i < 2; i++) {
        SmsException e = catchThrowableOfType(SmsException.class, () -> send(NURSE, "Code red"));
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.errorCode()).isEqualTo(20000 + status);
        assertThat(e.retryable()).isTrue();
        assertThat(e.ambiguous()).isFalse();
      }
      assertThat(simulator.createAttempts()).isEqualTo(2);
      assertThat(simulator.createCount()).isZero();
      assertThat(simulator.allMessages()).isEmpty();

      simulator.faults().endOutage();
      assertThat(send(NURSE, "Code red").sid()).matches("SM[0-9a-f]{32}");
      assertThat(simulator.createAttempts()).isEqualTo(3);
      assertThat(simulator.createCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("failNext fails exactly the next N creates, with the code given (429 / 20429)")
    void failNext() {
      simulator.faults().failNext(2, 429, 20429);

      for (int i = 0; i < 2; i++) {
        SmsException e = catchThrowableOfType(SmsException.class, () -> send(NURSE, "Page"));
        assertThat(e.httpStatus()).isEqualTo(429);
        assertThat(e.errorCode()).isEqualTo(20429);
        assertThat(e.retryable()).isTrue();
      }
      SentMessage third = send(NURSE, "Page");

      assertThat(simulator.messagesTo(NURSE)).extracting(SimMessage::sid).containsExactly(third.sid());
      assertThat(simulator.createAttempts()).isEqualTo(3);
      assertThat(simulator.createCount()).isEqualTo(1);
      assertThat(simulator.faults().failNextRemaining()).isZero();
    }

    @Test
    @DisplayName("failNext without a code uses Twilio's generic one for the status")
    void failNextDefaultCode() {
      simulator.faults().failNext(1, 500, null);

      SmsException e = catchThrowableOfType(SmsException.class, () -> send(NURSE, "Page"));

      assertThat(e.httpStatus()).isEqualTo(500);
      assertThat(e.errorCode()).isEqualTo(20500);
    }

    @Test
    @DisplayName("an outage takes precedence over pending failures, which wait for it to end")
    void outageBeforeFailNext() {
      simulator.faults().failNext(1, 429, 20429).outage(503);

      assertThat(catchThrowableOfType(SmsException.class, () -> send(NURSE, "x")).httpStatus()).isEqualTo(503);
      simulator.faults().endOutage();
      assertThat(catchThrowableOfType(SmsException.class, () -> send(NURSE, "x")).httpStatus()).isEqualTo(429);
      assertThat(send(NURSE, "x").sid()).isNotBlank();
    }

    @Test
    @DisplayName("hang: the message is accepted and listed, the answer never comes, the send is ambiguous")
    void hang() {
      TwilioSmsGateway impatient = track(new TwilioSmsGateway(new TwilioSettings(ACCOUNT, TOKEN, SENDER, simulator.baseUrl(),
          Duration.ofSeconds(2), Duration.ofMillis(400))));
      simulator.faults().hang(true);
      Instant before = Instant.now();

      SmsException e = catchThrowableOfType(SmsException.class,
          () -> impatient.send(new OutboundSms(NURSE, "Can you come in? Reply 1, 2 or 3", null)));

      assertThat(e.httpStatus()).isZero();
      assertThat(e.ambiguous()).isTrue();
      assertThat(e.retryable()).isTrue();
      assertThat(simulator.createCount()).isEqualTo(1);
      SimMessage stored = simulator.messagesTo(NURSE).get(0);
      // Listing is not affected by the hang: the dispatcher finds the message it must not send twice.
      Optional<SentMessage> found = impatient.findSent(NURSE, "Can you come in? Reply 1, 2 or 3", before);
      assertThat(found).map(SentMessage::sid).contains(stored.sid());

      simulator.faults().hang(false);
      assertThat(impatient.send(new OutboundSms(NURSE, "after", null)).sid()).isNotEqualTo(stored.sid());
    }

    @Test
    @DisplayName("stopping the simulator drops the requests left hanging: the client does not wait for its timeout")
    void stopDropsHangingRequests() throws InterruptedException {
      simulator.faults().hang(true);
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      Thread sender = new Thread(() -> {
        try {
          send(NURSE, "Page"); // the default response timeout is 10 s
        } catch (Throwable t) {
          failures.add(t);
        }
      });
      sender.start();
      assertThat(eventually(() -> simulator.createCount() == 1)).isTrue();

      long started = System.nanoTime();
      simulator.stop().await();
      sender.join(5_000);

      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
      assertThat(failures).singleElement().isInstanceOfSatisfying(SmsException.class, e -> {
        assertThat(e.httpStatus()).isZero();
        assertThat(e.ambiguous()).isTrue();
      });
    }

    @Test
    @DisplayName("a recipient who opted out (21610) is refused with 400 at create, as Twilio does")
    void optedOut() {
      simulator.faults().numberFails(NURSE, 21610);

      SmsException e = catchThrowableOfType(SmsException.class, () -> send(NURSE, "Page"));

      assertThat(e.httpStatus()).isEqualTo(400);
      assertThat(e.errorCode()).isEqualTo(21610);
      assertThat(e.retryable()).isFalse();
      assertThat(e.ambiguous()).isFalse();
      assertThat(simulator.messagesTo(NURSE)).isEmpty();
      assertThat(send(OTHER, "Page").sid()).isNotBlank(); // other numbers are fine
      simulator.faults().numberOk(NURSE);
      assertThat(send(NURSE, "Page").sid()).isNotBlank();
    }

    @ParameterizedTest(name = "error {0}")
    @ValueSource(ints = {30003, 30005, 30006, 30007})
    @DisplayName("a carrier error: accepted (201), reported sent, then undelivered with its ErrorCode, signed")
    void undelivered(int code, Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      String callback = app.url("/webhooks/twilio/status?n=1");
      simulator.faults().numberFails(NURSE, code);

      SentMessage sent = gateway.send(new OutboundSms(NURSE, "Page", callback));

      assertThat(sent.status()).isEqualTo("queued");
      RecordingServer.Received first = app.next(WAIT);
      RecordingServer.Received second = app.next(WAIT);
      assertThat(first.params()).containsEntry("MessageStatus", "sent").doesNotContainKey("ErrorCode");
      assertThat(second.params()).containsEntry("MessageStatus", "undelivered").containsEntry("SmsStatus", "undelivered")
          .containsEntry("ErrorCode", String.valueOf(code)).containsEntry("MessageSid", sent.sid());
      assertThat(TwilioSignature.valid(TOKEN, callback, second.params(), second.signature())).isTrue();
      Message fetched = Message.fetcher(sent.sid()).fetch(sdkClient());
      assertThat(fetched.getStatus()).isEqualTo(Message.Status.UNDELIVERED);
      assertThat(fetched.getErrorCode()).isEqualTo(code);
      assertThat(fetched.getErrorMessage()).isNotBlank();
      assertThat(simulator.messagesTo(NURSE).get(0).errorCode()).isEqualTo(code);
      app.close();
    }

    @Test
    @DisplayName("an error Twilio reports before sending (30001) goes straight to failed")
    void failed(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      simulator.faults().numberFails(NURSE, 30001);

      gateway.send(new OutboundSms(NURSE, "Page", app.url("/status")));

      assertThat(app.next(WAIT).params()).containsEntry("MessageStatus", "failed").containsEntry("ErrorCode", "30001");
      assertThat(eventually(() -> app.pending() == 0 && "failed".equals(simulator.messagesTo(NURSE).get(0).status()))).isTrue();
      // Nothing more comes: a message sent after it has its sent and delivered receipts posted, and
      // they are the only ones (the first's would have been scheduled before them).
      SentMessage later = gateway.send(new OutboundSms("+15551230002", "Later", app.url("/status")));
      assertThat(app.next(WAIT).params()).containsEntry("MessageSid", later.sid()).containsEntry("MessageStatus", "sent");
      assertThat(app.next(WAIT).params()).containsEntry("MessageSid", later.sid()).containsEntry("MessageStatus", "delivered");
      assertThat(app.pending()).isZero();
      app.close();
    }

    @Test
    @DisplayName("delays change at run time: never, then quick again")
    void delays(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      simulator.faults().delays(-1, -1);

      gateway.send(new OutboundSms(NURSE, "stuck", app.url("/status")));
      assertThat(simulator.messagesTo(NURSE).get(0).status()).isEqualTo("queued");

      simulator.faults().delays(5, 300);
      SentMessage slow = gateway.send(new OutboundSms(NURSE, "slow delivery", app.url("/status")));
      // Every receipt posted is the second message's: the first one gets none, before or after them.
      assertThat(app.next(WAIT).params()).containsEntry("MessageSid", slow.sid()).containsEntry("MessageStatus", "sent");
      assertThat(app.pending()).isZero();
      assertThat(app.next(WAIT).params()).containsEntry("MessageSid", slow.sid()).containsEntry("MessageStatus", "delivered");
      assertThat(app.pending()).isZero();
      assertThat(simulator.messagesTo(NURSE).get(0).status()).isEqualTo("queued"); // the first one keeps waiting
      app.close();
    }

    @Test
    @DisplayName("dropped callbacks: the message is still delivered (fetch says so), but no receipt is posted")
    void dropCallbacks(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      simulator.faults().dropCallbacks(true);

      SentMessage sent = gateway.send(new OutboundSms(NURSE, "lost receipt", app.url("/status")));
      assertThat(eventually(() -> "delivered".equals(simulator.messagesTo(NURSE).get(0).status()))).isTrue();
      assertThat(Message.fetcher(sent.sid()).fetch(sdkClient()).getStatus()).isEqualTo(Message.Status.DELIVERED);
      assertThat(app.pending()).as("no callback posted").isZero();

      simulator.faults().dropCallbacks(false);
      gateway.send(new OutboundSms(NURSE, "receipt", app.url("/status")));
      assertThat(app.next(WAIT).params()).containsEntry("MessageStatus", "sent");
      assertThat(app.next(WAIT).params()).containsEntry("MessageStatus", "delivered");
      app.close();
    }

    @Test
    @DisplayName("reset, and clear, bring back a healthy service with the configured delays")
    void resetAndClear() {
      simulator.faults().outage(503).failNext(3, 429, null).hang(true).numberFails(NURSE, 21610).delays(-1, -1)
          .dropCallbacks(true);
      simulator.faults().reset();
      assertThat(simulator.faults().callbacksDropped()).isFalse();

      send(NURSE, "ok");
      assertThat(simulator.faults().sentDelayMs()).isEqualTo(20);
      assertThat(simulator.faults().deliveredDelayMs()).isEqualTo(20);
      assertThat(simulator.faults().failNextRemaining()).isZero();
      assertThat(simulator.faults().hanging()).isFalse();

      simulator.faults().outage(500);
      catchThrowableOfType(SmsException.class, () -> send(NURSE, "down"));
      assertThat(simulator.createAttempts()).isEqualTo(2);
      simulator.clear();
      assertThat(simulator.createAttempts()).isZero();
      assertThat(simulator.createCount()).isZero();
      assertThat(send(NURSE, "up").sid()).isNotBlank();
    }

    @Test
    @DisplayName("invalid settings are refused")
    void invalidSettings() {
      assertThatThrownBy(() -> simulator.faults().outage(200)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> simulator.faults().failNext(-1, 500, null)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> simulator.faults().numberFails("0800 nurse", 30003)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("failNext is exact under concurrent senders: N failures, every other create accepted")
    void failNextConcurrently() throws InterruptedException {
      simulator.faults().failNext(10, 429, 20429);
      AtomicInteger throttled = new AtomicInteger();
      List<Throwable> unexpected = Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String to = "+1555123100" + i;
        Thread thread = new Thread(() -> {
          for (int j = 0; j < 5; j++) {
            try {
              gateway.send(new OutboundSms(to, "message " + j, null));
            } catch (SmsException e) {
              if (e.httpStatus() == 429) {
                throttled.incrementAndGet();
              } else {
                unexpected.add(e);
              }
            } catch (Throwable t) {
              unexpected.add(t);
            }
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }

      assertThat(unexpected).isEmpty();
      assertThat(throttled).hasValue(10);
      assertThat(simulator.createCount()).isEqualTo(30);
      assertThat(simulator.createAttempts()).isEqualTo(40);
    }
  }

  @Nested
  @DisplayName("REST API under /sim/api/faults")
  class RestApi {

    @Test
    @DisplayName("an outage is set, seen by the SDK, shown in the state, and ended")
    void outage() {
      JsonObject state = post("/sim/api/faults/outage", new JsonObject().put("status", 503)).bodyAsJsonObject();
      assertThat(state.getInteger("outage")).isEqualTo(503);

      SmsException e = catchThrowableOfType(SmsException.class, () -> send(NURSE, "x"));
      assertThat(e.httpStatus()).isEqualTo(503);
      assertThat(e.errorCode()).isEqualTo(20503);

      JsonObject after = delete("/sim/api/faults/outage").bodyAsJsonObject();
      assertThat(after.getValue("outage")).isNull();
      send(NURSE, "x");
      JsonObject counters = get("/sim/api/faults").bodyAsJsonObject();
      assertThat(counters.getInteger("createAttempts")).isEqualTo(2);
      assertThat(counters.getInteger("createCount")).isEqualTo(1);
    }

    @Test
    @DisplayName("fail-next, numbers, hang and delays are set over HTTP; DELETE resets them all")
    void everyFault() {
      JsonObject state = post("/sim/api/faults/fail-next", new JsonObject().put("count", 1).put("status", 429).put("code", 20429))
          .bodyAsJsonObject();
      assertThat(state.getJsonObject("failNext").getMap()).containsEntry("count", 1).containsEntry("status", 429)
          .containsEntry("code", 20429);
      SmsException throttled = catchThrowableOfType(SmsException.class, () -> send(NURSE, "x"));
      assertThat(throttled.errorCode()).isEqualTo(20429);

      post("/sim/api/faults/numbers/%2B15551230001", new JsonObject().put("code", 21610));
      assertThat(catchThrowableOfType(SmsException.class, () -> send(NURSE, "x")).errorCode()).isEqualTo(21610);
      delete("/sim/api/faults/numbers/+15551230001");
      send(NURSE, "x");

      post("/sim/api/faults/hang", null);
      assertThat(post("/sim/api/faults/callbacks", null).bodyAsJsonObject().getBoolean("dropCallbacks")).isTrue();
      assertThat(delete("/sim/api/faults/callbacks").bodyAsJsonObject().getBoolean("dropCallbacks")).isFalse();
      assertThat(post("/sim/api/faults/callbacks", new JsonObject().put("drop", "yes")).statusCode()).isEqualTo(400);
      post("/sim/api/faults/callbacks", new JsonObject().put("drop", true));
      post("/sim/api/faults/delays", new JsonObject().put("sentMs", 1000).put("deliveredMs", -1));
      JsonObject all = get("/sim/api/faults").bodyAsJsonObject();
      assertThat(all.getBoolean("hang")).isTrue();
      assertThat(all.getBoolean("dropCallbacks")).isTrue();
      assertThat(all.getJsonObject("delays").getMap()).containsEntry("sentMs", 1000).containsEntry("deliveredMs", -1);
      assertThat(simulator.faults().hanging()).isTrue();
      assertThat(simulator.faults().sentDelayMs()).isEqualTo(1000);

      JsonObject reset = delete("/sim/api/faults").bodyAsJsonObject();
      assertThat(reset.getBoolean("hang")).isFalse();
      assertThat(reset.getBoolean("dropCallbacks")).isFalse();
      assertThat(reset.getJsonObject("delays").getMap()).containsEntry("sentMs", 20).containsEntry("deliveredMs", 20);
      assertThat(reset.getJsonObject("numbers").isEmpty()).isTrue();
      send(NURSE, "healthy");
    }

    @Test
    @DisplayName("bad requests are refused with 400 and the field at fault")
    void badRequests() {
      assertBad(post("/sim/api/faults/outage", new JsonObject().put("status", 200)), "status");
      assertBad(post("/sim/api/faults/outage", new JsonObject()), "status");
      assertBad(post("/sim/api/faults/fail-next", new JsonObject().put("status", 500)), "count");
      assertBad(post("/sim/api/faults/numbers/not-a-number", new JsonObject().put("code", 30003)), "number");
      assertBad(post("/sim/api/faults/hang", new JsonObject().put("hang", "yes")), "hang");
      assertBad(post("/sim/api/faults/delays", new JsonObject().put("sentMs", 10)), "deliveredMs");
      HttpResponse<Buffer> notJson = web.postAbs(simulator.baseUrl() + "/sim/api/faults/outage")
          .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("[503]")).await();
      assertThat(notJson.statusCode()).isEqualTo(400);
      assertThat(get("/sim/api/faults").bodyAsJsonObject().getValue("outage")).isNull();
    }

    private void assertBad(HttpResponse<Buffer> response, String field) {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(field);
    }
  }

  private SentMessage send(String to, String body) {
    return gateway.send(new OutboundSms(to, body, null));
  }

  private TwilioRestClient sdkClient() {
    OneAttemptHttpClient http = track(new OneAttemptHttpClient(simulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    return new TwilioRestClient.Builder(ACCOUNT, TOKEN).httpClient(http).build();
  }

  private HttpResponse<Buffer> post(String path, JsonObject body) {
    return body == null
        ? web.postAbs(simulator.baseUrl() + path).send().await()
        : web.postAbs(simulator.baseUrl() + path).sendJsonObject(body).await();
  }

  private HttpResponse<Buffer> delete(String path) {
    return web.deleteAbs(simulator.baseUrl() + path).send().await();
  }

  private HttpResponse<Buffer> get(String path) {
    return web.getAbs(simulator.baseUrl() + path).send().await();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  static boolean eventually(BooleanSupplier condition) throws InterruptedException {
    try {
      Awaitility.await().atMost(WAIT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
          .until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }
}
