package io.muster.sim;

import static io.muster.sim.SimulatorFaultsTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twilio.exception.ApiException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;
import io.muster.notify.twilio.OneAttemptHttpClient;
import io.muster.notify.twilio.TwilioSignature;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("SMS simulator")
class SmsSimulatorTest {

  private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
  private static final String TOKEN = "sim-auth-token";
  private static final String SENDER = "+15005550006";
  private static final String NURSE = "+15551230001";
  private static final String RFC_2822 = "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private SmsSimulator simulator;
  private OneAttemptHttpClient http;
  private TwilioRestClient twilio;
  private WebClient web;

  @BeforeEach
  void start(Vertx vertx) {
    simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, ACCOUNT, TOKEN, 20, 20));
    int port = simulator.start(vertx).await();
    assertThat(simulator.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
    http = new OneAttemptHttpClient(simulator.baseUrl(), Duration.ofSeconds(5), Duration.ofSeconds(5));
    twilio = new TwilioRestClient.Builder(ACCOUNT, TOKEN).httpClient(http).build();
    web = WebClient.create(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
    http.close();
    simulator.stop().await();
  }

  @Nested
  @DisplayName("Twilio's Messages API, through the real SDK")
  class MessagesApi {

    @Test
    @DisplayName("a created message parses into the SDK's Message with Twilio's fields")
    void createParses() {
      Instant before = Instant.now().minusSeconds(1);
      Message message = Message.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), "Fire alarm, building B").create(twilio);

      assertThat(message.getSid()).matches("SM[0-9a-f]{32}");
      assertThat(message.getAccountSid()).isEqualTo(ACCOUNT);
      assertThat(message.getTo()).isEqualTo(NURSE);
      assertThat(message.getFrom()).hasToString(SENDER);
      assertThat(message.getBody()).isEqualTo("Fire alarm, building B");
      assertThat(message.getStatus()).isEqualTo(Message.Status.QUEUED);
      assertThat(message.getDirection()).isEqualTo(Message.Direction.OUTBOUND_API);
      assertThat(message.getNumSegments()).isEqualTo("1");
      assertThat(message.getApiVersion()).isEqualTo("2010-04-01");
      assertThat(message.getDateCreated().toInstant()).isAfterOrEqualTo(before.truncatedTo(ChronoUnit.SECONDS));
      assertThat(message.getDateUpdated()).isNotNull();
      assertThat(message.getPrice()).isNull();
      assertThat(message.getErrorCode()).isNull();
      assertThat(message.getUri()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Messages/" + message.getSid() + ".json");
      assertThat(message.getSubresourceUris()).containsKey("media");
    }

    @Test
    @DisplayName("a fetched message shows its status moving from queued to delivered")
    void fetchFollowsStatus() throws InterruptedException {
      Message created = Message.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), "Drill").create(twilio);

      Message fetched = Message.fetcher(created.getSid()).fetch(twilio);
      assertThat(fetched.getSid()).isEqualTo(created.getSid());
      assertThat(fetched.getBody()).isEqualTo("Drill");

      assertThat(eventually(() -> Message.fetcher(created.getSid()).fetch(twilio).getStatus() == Message.Status.DELIVERED)).isTrue();
    }

    @Test
    @DisplayName("fetching an unknown SID answers Twilio's 404 (20404)")
    void fetchUnknown() {
      ApiException e = catchThrowableOfType(ApiException.class, () -> Message.fetcher("SM" + "0".repeat(32)).fetch(twilio));

      assertThat(e.getStatusCode()).isEqualTo(404);
      assertThat(e.getCode()).isEqualTo(20404);
    }

    @Test
    @DisplayName("the SDK's reader filters by To and DateSent and follows the pages")
    void readerFiltersAndPages() {
      for (int i = 0; i < 5; i++) {
        send(NURSE, "page " + i);
      }
      send("+15551230002", "someone else");

      List<String> bodies = new ArrayList<>();
      Message.reader().setTo(new PhoneNumber(NURSE)).setDateSentAfter(ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(1))
          .setPageSize(2L).read(twilio).forEach(m -> bodies.add(m.getBody()));

      assertThat(bodies).containsExactlyInAnyOrder("page 0", "page 1", "page 2", "page 3", "page 4");
      assertThat(Message.reader().setTo(new PhoneNumber(NURSE)).setDateSentAfter(ZonedDateTime.now(ZoneOffset.UTC).plusMinutes(1))
          .read(twilio)).isEmpty();
      assertThat(Message.reader().setFrom(new PhoneNumber(SENDER)).read(twilio)).hasSize(6);
    }

    @Test
    @DisplayName("wrong credentials answer 401 with Twilio's 20003")
    void wrongCredentials() {
      TwilioRestClient intruder = new TwilioRestClient.Builder(ACCOUNT, "not-the-token").httpClient(http).build();

      ApiException e = catchThrowableOfType(ApiException.class,
          () -> Message.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), "x").create(intruder));

      assertThat(e.getStatusCode()).isEqualTo(401);
      assertThat(e.getCode()).isEqualTo(20003);
      assertThat(simulator.createCount()).isZero();
    }
  }

  @Nested
  @DisplayName("Twilio's wire format")
  class WireFormat {

    @Test
    @DisplayName("the 201 carries every field of Twilio's message JSON, RFC 2822 dates and explicit nulls")
    void createJson() {
      HttpResponse<Buffer> response = create(form("To", NURSE, "From", SENDER, "Body", "hello"), TOKEN);

      assertThat(response.statusCode()).isEqualTo(201);
      JsonObject json = response.bodyAsJsonObject();
      assertThat(json.fieldNames()).contains("sid", "account_sid", "to", "from", "messaging_service_sid", "body", "status",
          "num_segments", "direction", "date_created", "date_updated", "date_sent", "uri", "price", "error_code",
          "error_message", "api_version", "subresource_uris");
      assertThat(json.getString("date_created")).matches(RFC_2822);
      assertThat(json.getString("date_sent")).matches(RFC_2822);
      assertThat(json.getString("status")).isEqualTo("queued");
      assertThat(json.getValue("price")).isNull();
      assertThat(json.containsKey("error_code")).isTrue();
    }

    @Test
    @DisplayName("a missing To is refused with 400 and 21604 in Twilio's error JSON")
    void missingTo() {
      HttpResponse<Buffer> response = create(form("From", SENDER, "Body", "hello"), TOKEN);

      assertThat(response.statusCode()).isEqualTo(400);
      JsonObject json = response.bodyAsJsonObject();
      assertThat(json.getInteger("code")).isEqualTo(21604);
      assertThat(json.getInteger("status")).isEqualTo(400);
      assertThat(json.getString("message")).isNotBlank();
      assertThat(json.getString("more_info")).endsWith("/21604");
      assertThat(simulator.createCount()).isZero();
    }

    @Test
    @DisplayName("a missing Body is refused with 21602")
    void missingBody() {
      HttpResponse<Buffer> response = create(form("To", NURSE, "From", SENDER), TOKEN);

      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getInteger("code")).isEqualTo(21602);
    }

    @Test
    @DisplayName("without credentials the API answers 401 with a Basic challenge")
    void noCredentials() {
      HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json")
          .sendForm(form("To", NURSE, "From", SENDER, "Body", "x")).await();

      assertThat(response.statusCode()).isEqualTo(401);
      assertThat(response.getHeader("WWW-Authenticate")).startsWith("Basic");
      assertThat(response.bodyAsJsonObject().getInteger("code")).isEqualTo(20003);
    }

    @Test
    @DisplayName("num_segments counts GSM-7 and UCS-2 as carriers do")
    void segments() {
      assertThat(create(form("To", NURSE, "From", SENDER, "Body", "a".repeat(160)), TOKEN).bodyAsJsonObject().getString("num_segments"))
          .isEqualTo("1");
      assertThat(create(form("To", NURSE, "From", SENDER, "Body", "a".repeat(161)), TOKEN).bodyAsJsonObject().getString("num_segments"))
          .isEqualTo("2");
      assertThat(create(form("To", NURSE, "From", SENDER, "Body", "✓".repeat(71)), TOKEN).bodyAsJsonObject().getString("num_segments"))
          .isEqualTo("2");
    }
  }

  @Nested
  @DisplayName("hooks for tests and benchmarks")
  class Hooks {

    @Test
    @DisplayName("listeners see each accepted message with its receipt time; counts and clear work")
    void listenersCountsClear() {
      List<SimMessage> seen = new CopyOnWriteArrayList<>();
      simulator.onMessage(seen::add);
      long before = System.nanoTime();

      send(NURSE, "one");
      send(NURSE, "two");
      create(form("From", SENDER, "Body", "rejected: no To"), TOKEN);

      assertThat(seen).extracting(SimMessage::body).containsExactly("one", "two");
      assertThat(seen).allSatisfy(m -> assertThat(m.receivedNanos()).isGreaterThanOrEqualTo(before));
      assertThat(simulator.createCount()).isEqualTo(2);
      assertThat(simulator.messagesTo(NURSE)).extracting(SimMessage::body).containsExactly("one", "two");
      simulator.clear();
      assertThat(simulator.createCount()).isZero();
      assertThat(simulator.allMessages()).isEmpty();
    }

    @Test
    @DisplayName("a message with a status callback moves to delivered and reports both steps, signed, query string included")
    void statusCallbackSigned(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      String callback = app.url("/webhooks/twilio/status?n=7&facility=north");
      create(form("To", NURSE, "From", SENDER, "Body", "hi", "StatusCallback", callback), TOKEN);

      RecordingServer.Received sent = app.next(WAIT);
      RecordingServer.Received delivered = app.next(WAIT);

      assertThat(sent.params()).containsEntry("MessageStatus", "sent").containsEntry("SmsStatus", "sent")
          .containsKeys("MessageSid", "SmsSid", "AccountSid", "From", "To", "ApiVersion");
      assertThat(delivered.params()).containsEntry("MessageStatus", "delivered");
      assertThat(TwilioSignature.valid(TOKEN, callback, sent.params(), sent.signature())).isTrue();
      assertThat(TwilioSignature.valid(TOKEN, callback, delivered.params(), delivered.signature())).isTrue();
      assertThat(TwilioSignature.valid(TOKEN, app.url("/webhooks/twilio/status"), sent.params(), sent.signature())).isFalse();
      assertThat(simulator.messagesTo(NURSE).get(0).status()).isEqualTo("delivered");
      app.close();
    }
  }

  @Nested
  @DisplayName("phones")
  class PhoneView {

    @Test
    @DisplayName("lists each phone that received messages, with its count")
    void phones() {
      send(NURSE, "a");
      send(NURSE, "b");
      send("+15551230002", "c");

      JsonObject json = get("/sim/api/phones").bodyAsJsonObject();

      assertThat(json.getJsonArray("phones").stream().map(JsonObject.class::cast).map(JsonObject::getMap))
          .containsExactly(Map.of("number", NURSE, "count", 2), Map.of("number", "+15551230002", "count", 1));
    }

    @Test
    @DisplayName("shows a phone's inbox, newest last, whether the + is encoded or not")
    void inbox() {
      send(NURSE, "first");
      send(NURSE, "second");

      for (String path : List.of("/sim/api/phones/%2B15551230001/messages", "/sim/api/phones/+15551230001/messages")) {
        JsonObject json = get(path).bodyAsJsonObject();
        assertThat(json.getString("number")).isEqualTo(NURSE);
        assertThat(json.getJsonArray("messages").stream().map(m -> ((JsonObject) m).getString("body")))
            .containsExactly("first", "second");
      }
    }

    @Test
    @DisplayName("a reply reaches the webhook signed, from the phone, to the number it heard from")
    void replyReachesWebhook(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.start(vertx, 204, "");
      String webhook = app.url("/webhooks/twilio/sms");
      simulator.setInboundWebhookUrl(webhook);
      send(NURSE, "Can you come in? Reply 1, 2 or 3");

      HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/sim/api/phones/%2B15551230001/reply")
          .sendJsonObject(new JsonObject().put("body", "1")).await();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getInteger("webhookStatus")).isEqualTo(204);
      RecordingServer.Received inbound = app.next(WAIT);
      assertThat(inbound.params()).containsEntry("From", NURSE).containsEntry("To", SENDER).containsEntry("Body", "1")
          .containsEntry("AccountSid", ACCOUNT).containsEntry("NumMedia", "0").containsEntry("NumSegments", "1")
          .containsEntry("MessageSid", response.bodyAsJsonObject().getString("messageSid"))
          .containsKeys("SmsSid", "ApiVersion");
      assertThat(TwilioSignature.valid(TOKEN, webhook, inbound.params(), inbound.signature())).isTrue();
      assertThat(simulator.repliesFrom(NURSE)).extracting(SimMessage::body).containsExactly("1");
      app.close();
    }

    @Test
    @DisplayName("a reply goes to the configured inbound URL only, never to a webhookUrl named in the request")
    void namedWebhookIgnored(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      RecordingServer elsewhere = RecordingServer.answering200(vertx);
      simulator.setInboundWebhookUrl(app.url("/webhooks/twilio/sms"));

      HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
          .sendJsonObject(new JsonObject().put("body", "1").put("webhookUrl", elsewhere.url("/steal"))).await();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(app.next(WAIT).params()).containsEntry("From", "+15551230003").containsEntry("Body", "1");
      assertThat(elsewhere.pending()).as("the simulator answered after its only webhook was answered").isZero();
      app.close();
      elsewhere.close();
    }

    @Test
    @DisplayName("a reply that is not application/json is refused with 415 naming Content-Type, and sends nothing")
    void replyMustBeJson(Vertx vertx) {
      RecordingServer app = RecordingServer.answering200(vertx);
      simulator.setInboundWebhookUrl(app.url("/webhooks/twilio/sms"));
      String json = new JsonObject().put("body", "1").encode();

      for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
        HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
            .putHeader("Content-Type", type).sendBuffer(Buffer.buffer(json)).await();
        assertRefused(response, 415, "Content-Type");
      }
      HttpResponse<Buffer> untyped = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
          .sendBuffer(Buffer.buffer(json)).await();
      assertRefused(untyped, 415, "Content-Type");
      assertThat(simulator.repliesFrom("+15551230003")).isEmpty();
      assertThat(app.pending()).isZero();
      app.close();
    }

    @Test
    @DisplayName("a request from another site's page is refused with 403 naming Origin; the phone view's own origin is accepted")
    void foreignOriginRefused(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      simulator.setInboundWebhookUrl(app.url("/webhooks/twilio/sms"));
      JsonObject reply = new JsonObject().put("body", "1");

      for (String origin : List.of("https://attacker.example", "null", "http://localhost:1", app.baseUrl())) {
        HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
            .putHeader("Origin", origin).sendJsonObject(reply).await();
        assertRefused(response, 403, "Origin");
      }
      assertRefused(web.postAbs(simulator.baseUrl() + "/sim/api/calls/CA0/hangup")
          .putHeader("Origin", "https://attacker.example").send().await(), 403, "Origin");
      assertRefused(web.deleteAbs(simulator.baseUrl() + "/sim/api/faults")
          .putHeader("Origin", "https://attacker.example").send().await(), 403, "Origin");
      assertThat(simulator.repliesFrom("+15551230003")).isEmpty();

      HttpResponse<Buffer> own = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
          .putHeader("Origin", simulator.baseUrl()).sendJsonObject(reply).await();
      assertThat(own.statusCode()).as(own.bodyAsString()).isEqualTo(200);
      assertThat(app.next(WAIT).params()).containsEntry("Body", "1");
      app.close();
    }

    @Test
    @DisplayName("a reply goes to the inbound URL set after start")
    void defaultInboundUrl(Vertx vertx) throws InterruptedException {
      RecordingServer app = RecordingServer.answering200(vertx);
      simulator.setInboundWebhookUrl(app.url("/webhooks/twilio/sms"));

      HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
          .sendJsonObject(new JsonObject().put("body", "3")).await();

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(app.next(WAIT).params()).containsEntry("From", "+15551230003").containsEntry("To", SmsSimulator.DEFAULT_SENDER_NUMBER);
      app.close();
    }

    @Test
    @DisplayName("a reply with nowhere to go is refused with 409")
    void noInboundUrl() {
      HttpResponse<Buffer> response = web.postAbs(simulator.baseUrl() + "/sim/api/phones/+15551230003/reply")
          .sendJsonObject(new JsonObject().put("body", "3")).await();

      assertThat(response.statusCode()).isEqualTo(409);
      assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("no_webhook");
    }

    @Test
    @DisplayName("the phone view page is served as HTML")
    void page() {
      HttpResponse<Buffer> response = get("/sim/");

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.getHeader("Content-Type")).startsWith("text/html");
      assertThat(response.bodyAsString()).contains("/sim/api/phones");
      assertThat(web.getAbs(simulator.baseUrl() + "/sim").followRedirects(false).send().await().getHeader("Location"))
          .isEqualTo("/sim/");
    }
  }

  private static void assertRefused(HttpResponse<Buffer> response, int status, String field) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject().getJsonObject("error").getString("field")).isEqualTo(field);
  }

  private void send(String to, String body) {
    assertThat(create(form("To", to, "From", SENDER, "Body", body), TOKEN).statusCode()).isEqualTo(201);
  }

  private HttpResponse<Buffer> create(MultiMap form, String token) {
    return web.postAbs(simulator.baseUrl() + "/2010-04-01/Accounts/" + ACCOUNT + "/Messages.json")
        .basicAuthentication(ACCOUNT, token)
        .sendForm(form).await();
  }

  private HttpResponse<Buffer> get(String path) {
    return web.getAbs(simulator.baseUrl() + path).send().await();
  }

  private static MultiMap form(String... namesAndValues) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      form.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return form;
  }
}
