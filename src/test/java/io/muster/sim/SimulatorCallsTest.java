package io.muster.sim;

import static io.muster.sim.SimulatorFaultsTest.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Call;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.type.PhoneNumber;
import com.twilio.type.Twiml;
import io.muster.notify.twilio.OneAttemptHttpClient;
import io.muster.notify.twilio.TwilioSignature;
import io.muster.notify.twilio.TwilioWebhookAuth;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(30)
@DisplayName("SMS simulator voice calls, through the real Twilio SDK")
class SimulatorCallsTest {

  private static final String ACCOUNT = "AC0123456789abcdef0123456789abcdef";
  private static final String TOKEN = "sim-auth-token";
  private static final String SENDER = "+15005550006";
  private static final String NURSE = "+15551230001";
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final List<String> ALL_EVENTS = List.of("initiated", "ringing", "answered", "completed");

  private SmsSimulator simulator;
  private OneAttemptHttpClient http;
  private TwilioRestClient twilio;
  private WebClient web;

  @BeforeEach
  void start(Vertx vertx) {
    simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, ACCOUNT, TOKEN, 20, 20));
    simulator.start(vertx).await();
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

  @Test
  @DisplayName("a call created with inline TwiML parses into the SDK's Call, is stored with its TwiML, and can be fetched")
  void createAndFetch(Vertx vertx) {
    List<SimCall> seen = new CopyOnWriteArrayList<>();
    simulator.onCall(seen::add);
    String twiml = gatherTwiml("http://127.0.0.1:9/x", "Mass casualty incident. Press 1 if you can come in.");

    Call call = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml(twiml)).create(twilio);

    assertThat(call.getSid()).matches("CA[0-9a-f]{32}");
    assertThat(call.getAccountSid()).isEqualTo(ACCOUNT);
    assertThat(call.getTo()).isEqualTo(NURSE);
    assertThat(call.getFrom()).isEqualTo(SENDER);
    assertThat(call.getStatus()).isEqualTo(Call.Status.QUEUED);
    assertThat(call.getDirection()).isEqualTo("outbound-api");
    assertThat(call.getApiVersion()).isEqualTo("2010-04-01");
    assertThat(call.getDateCreated()).isNotNull();
    assertThat(call.getStartTime()).isNull();
    assertThat(call.getUri()).isEqualTo("/2010-04-01/Accounts/" + ACCOUNT + "/Calls/" + call.getSid() + ".json");
    assertThat(call.getSubresourceUris()).containsKey("recordings");
    assertThat(seen).singleElement().satisfies(c -> {
      assertThat(c.sid()).isEqualTo(call.getSid());
      assertThat(c.twiml()).isEqualTo(twiml);
    });
    assertThat(simulator.callsTo(NURSE)).singleElement().satisfies(c -> {
      assertThat(c.says()).containsExactly("Mass casualty incident. Press 1 if you can come in.");
      assertThat(c.statusCallbackEvents()).containsExactly("completed"); // Twilio's default
    });

    Call fetched = Call.fetcher(call.getSid()).fetch(twilio);
    assertThat(fetched.getSid()).isEqualTo(call.getSid());
    assertThat(fetched.getTo()).isEqualTo(NURSE);
    ApiException unknown = catchThrowableOfType(ApiException.class, () -> Call.fetcher("CA" + "0".repeat(32)).fetch(twilio));
    assertThat(unknown.getStatusCode()).isEqualTo(404);
    assertThat(unknown.getCode()).isEqualTo(20404);
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).read(twilio)).extracting(Call::getSid).containsExactly(call.getSid());
  }

  @Test
  @DisplayName("the call rings and is answered; pressing 1 posts a signed Gather webhook with Digits=1; the call then completes")
  void pressReachesGatherAction(Vertx vertx) throws InterruptedException {
    RecordingServer status = RecordingServer.answering200(vertx);
    RecordingServer app = RecordingServer.start(vertx, 200, "{}");
    String action = app.url("/webhooks/twilio/voice/gather?notification=42");
    String callback = status.url("/webhooks/twilio/voice/status");

    Call call = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml(gatherTwiml(action, "Code red. Press 1.")))
        .setStatusCallback(URI.create(callback)).setStatusCallbackEvent(ALL_EVENTS).create(twilio);

    List<RecordingServer.Received> progress = List.of(status.next(WAIT), status.next(WAIT), status.next(WAIT));
    assertThat(progress).extracting(r -> r.params().get("CallStatus")).containsExactly("initiated", "ringing", "in-progress");
    assertThat(progress).extracting(r -> r.params().get("SequenceNumber")).containsExactly("0", "1", "2");
    for (RecordingServer.Received r : progress) {
      assertThat(r.params()).containsEntry("CallSid", call.getSid()).containsEntry("AccountSid", ACCOUNT)
          .containsEntry("From", SENDER).containsEntry("To", NURSE).containsEntry("CallbackSource", "call-progress-events")
          .containsKeys("Timestamp", "ApiVersion", "Direction");
      assertThat(TwilioSignature.valid(TOKEN, callback, r.params(), r.signature())).isTrue();
    }
    assertThat(simulator.call(call.getSid()).orElseThrow().awaitingKeys()).isTrue();
    assertThat(Call.fetcher(call.getSid()).fetch(twilio).getStatus()).isEqualTo(Call.Status.IN_PROGRESS);

    HttpResponse<Buffer> pressed = web.postAbs(simulator.baseUrl() + "/sim/api/calls/" + call.getSid() + "/press")
        .sendJsonObject(new JsonObject().put("digits", "1")).await();

    assertThat(pressed.statusCode()).isEqualTo(200);
    assertThat(pressed.bodyAsJsonObject().getInteger("webhookStatus")).isEqualTo(200);
    RecordingServer.Received gather = app.next(WAIT);
    assertThat(gather.method()).isEqualTo("POST");
    assertThat(gather.pathAndQuery()).isEqualTo("/webhooks/twilio/voice/gather?notification=42");
    assertThat(gather.params()).containsEntry("CallSid", call.getSid()).containsEntry("AccountSid", ACCOUNT)
        .containsEntry("From", SENDER).containsEntry("To", NURSE).containsEntry("Digits", "1")
        .containsEntry("CallStatus", "in-progress");
    assertThat(TwilioSignature.valid(TOKEN, action, gather.params(), gather.signature())).isTrue();

    RecordingServer.Received completed = status.next(WAIT);
    assertThat(completed.params()).containsEntry("CallStatus", "completed").containsEntry("SequenceNumber", "3")
        .containsKey("CallDuration");
    SimCall ended = simulator.call(call.getSid()).orElseThrow();
    assertThat(ended.status()).isEqualTo("completed");
    assertThat(ended.pressed()).containsExactly("1");
    assertThat(Call.fetcher(call.getSid()).fetch(twilio).getEndTime()).isNotNull();
    status.close();
    app.close();
  }

  @Test
  @DisplayName("a press passes Muster's webhook authentication, and the TwiML it answers keeps the call gathering")
  void pressPassesWebhookAuth(Vertx vertx) throws InterruptedException {
    List<Map<String, String>> accepted = new CopyOnWriteArrayList<>();
    Router router = Router.router(vertx);
    HttpServer app = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    String publicBase = "http://127.0.0.1:" + app.actualPort();
    router.post("/webhooks/twilio/voice/*").handler(BodyHandler.create(false)).handler(new TwilioWebhookAuth(TOKEN, publicBase))
        .handler(ctx -> {
          Map<String, String> params = ctx.get(TwilioWebhookAuth.PARAMS);
          accepted.add(params);
          String answer = "1".equals(params.get("Digits"))
              ? "<Response><Gather action=\"/webhooks/twilio/voice/confirm\" numDigits=\"2\"><Say>When? Press minutes.</Say></Gather></Response>"
              : "<Response><Say>Thank you.</Say></Response>";
          ctx.response().putHeader("Content-Type", "text/xml").end(answer);
        });
    Call call = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER),
        new Twiml(gatherTwiml(publicBase + "/webhooks/twilio/voice/gather", "Press 1"))).create(twilio);
    assertThat(eventually(() -> simulator.call(call.getSid()).orElseThrow().awaitingKeys())).isTrue();

    assertThat(simulator.press(call.getSid(), "1").await()).isEqualTo(200);
    SimCall gathering = simulator.call(call.getSid()).orElseThrow();
    assertThat(gathering.status()).isEqualTo("in-progress");
    assertThat(gathering.says()).containsExactly("When? Press minutes.");

    // The answered TwiML's relative action resolves against the URL it came from; numDigits=2 keeps two keys.
    assertThat(simulator.press(call.getSid(), "304").await()).isEqualTo(200);

    assertThat(accepted).hasSize(2);
    assertThat(accepted.get(0)).containsEntry("Digits", "1").containsEntry("CallSid", call.getSid());
    assertThat(accepted.get(1)).containsEntry("Digits", "30").containsEntry("FinishedOnKey", "");
    assertThat(eventually(() -> "completed".equals(simulator.call(call.getSid()).orElseThrow().status()))).isTrue();
    assertThat(simulator.call(call.getSid()).orElseThrow().pressed()).containsExactly("1", "304");
    app.close().await();
  }

  @Test
  @DisplayName("a call by Url fetches its TwiML, signed, once answered; relative actions resolve against it; digits follow numDigits and finishOnKey")
  void callByUrl(Vertx vertx) throws InterruptedException {
    List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    List<String> paths = new CopyOnWriteArrayList<>();
    List<Boolean> signed = new CopyOnWriteArrayList<>();
    Router router = Router.router(vertx);
    HttpServer app = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    String base = "http://127.0.0.1:" + app.actualPort();
    router.post("/voice/*").handler(BodyHandler.create(false)).handler(ctx -> {
      Map<String, String> params = new java.util.LinkedHashMap<>();
      ctx.request().formAttributes().forEach(e -> params.put(e.getKey(), e.getValue()));
      requests.add(params);
      paths.add(ctx.request().path());
      signed.add(TwilioSignature.valid(TOKEN, base + ctx.request().uri(), params, ctx.request().getHeader(TwilioSignature.HEADER)));
      String twiml = ctx.request().path().endsWith("/twiml")
          ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Gather action=\"gather\" finishOnKey=\"#\"><Say>Enter minutes then hash.</Say></Gather></Response>"
          : "<Response><Hangup/></Response>";
      ctx.response().putHeader("Content-Type", "text/xml").end(twiml);
    });

    Call call = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), URI.create(base + "/voice/twiml")).create(twilio);
    assertThat(eventually(() -> simulator.call(call.getSid()).orElseThrow().awaitingKeys())).isTrue();

    HttpResponse<Buffer> pressed = web.postAbs(simulator.baseUrl() + "/sim/api/calls/" + call.getSid() + "/press")
        .sendJsonObject(new JsonObject().put("digits", "15#")).await();

    assertThat(pressed.statusCode()).isEqualTo(200);
    assertThat(paths).containsExactly("/voice/twiml", "/voice/gather");
    assertThat(requests.get(0)).containsEntry("CallStatus", "in-progress").containsEntry("CallSid", call.getSid());
    assertThat(requests.get(1)).containsEntry("Digits", "15").containsEntry("FinishedOnKey", "#");
    assertThat(signed).containsExactly(true, true);
    assertThat(eventually(() -> "completed".equals(simulator.call(call.getSid()).orElseThrow().status()))).isTrue();
    app.close().await();
  }

  @Test
  @DisplayName("a relative action in inline TwiML has nothing to resolve against: the press is refused")
  void relativeActionInlineTwiml() throws InterruptedException {
    Call call = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml(gatherTwiml("/gather", "Press 1")))
        .create(twilio);
    assertThat(eventually(() -> simulator.call(call.getSid()).orElseThrow().awaitingKeys())).isTrue();

    SimApiException e = catchThrowableOfType(SimApiException.class, () -> simulator.press(call.getSid(), "1").await());

    assertThat(e.status()).isEqualTo(409);
    assertThat(e.code()).isEqualTo("no_action");
  }

  @Test
  @DisplayName("TwiML without a Gather is said and the call completes by itself")
  void sayOnly(Vertx vertx) throws InterruptedException {
    RecordingServer status = RecordingServer.answering200(vertx);
    Call call = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml("<Response><Say>All clear.</Say></Response>"))
        .setStatusCallback(status.url("/status")).create(twilio);

    RecordingServer.Received completed = status.next(WAIT); // "completed" only: Twilio's default events
    assertThat(completed.params()).containsEntry("CallStatus", "completed").containsEntry("CallSid", call.getSid())
        .containsEntry("SequenceNumber", "0");
    assertThat(simulator.call(call.getSid()).orElseThrow().says()).containsExactly("All clear.");
    status.close();
  }

  @Test
  @DisplayName("the phone API lists calls, refuses presses it cannot do, and hangs up")
  void phoneApi() throws InterruptedException {
    simulator.faults().delays(-1, -1); // the call never rings
    Call waiting = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml(gatherTwiml("http://127.0.0.1:9/x", "Hi")))
        .create(twilio);

    assertThat(press(waiting.getSid(), "1").statusCode()).isEqualTo(409);
    assertThat(press(waiting.getSid(), "1").bodyAsJsonObject().getJsonObject("error").getString("code")).isEqualTo("not_in_progress");
    assertThat(press(waiting.getSid(), "x").statusCode()).isEqualTo(400);
    assertThat(press("CA" + "0".repeat(32), "1").statusCode()).isEqualTo(404);

    JsonObject list = web.getAbs(simulator.baseUrl() + "/sim/api/phones/%2B15551230001/calls").send().await().bodyAsJsonObject();
    assertThat(list.getJsonArray("calls").getJsonObject(0).getMap()).containsEntry("sid", waiting.getSid())
        .containsEntry("status", "queued").containsEntry("from", SENDER);
    assertThat(web.getAbs(simulator.baseUrl() + "/sim/api/calls").send().await().bodyAsJsonObject().getJsonArray("calls")).hasSize(1);

    HttpResponse<Buffer> hungUp = web.postAbs(simulator.baseUrl() + "/sim/api/calls/" + waiting.getSid() + "/hangup").send().await();
    assertThat(hungUp.statusCode()).isEqualTo(200);
    assertThat(hungUp.bodyAsJsonObject().getJsonObject("call").getString("status")).isEqualTo("no-answer");
    assertThat(web.postAbs(simulator.baseUrl() + "/sim/api/calls/" + waiting.getSid() + "/hangup").send().await().statusCode())
        .isEqualTo(409);

    simulator.clear();
    assertThat(simulator.calls()).isEmpty();
  }

  @Test
  @DisplayName("the Calls list filters on To, From, StartTime and EndTime as Twilio does, newest first; a call not yet started matches no StartTime filter")
  void listFilters() throws InterruptedException {
    Call finished = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml("<Response><Say>Hi</Say></Response>"))
        .create(twilio);
    assertThat(eventually(() -> simulator.call(finished.getSid()).orElseThrow().ended())).isTrue();
    simulator.faults().delays(-1, -1); // the next calls stay queued: no start time
    Call queued = Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml("<Response/>")).create(twilio);
    Call otherSender = Call.creator(new PhoneNumber(NURSE), new PhoneNumber("+15005550007"), new Twiml("<Response/>")).create(twilio);
    Call otherPhone = Call.creator(new PhoneNumber("+15551230002"), new PhoneNumber(SENDER), new Twiml("<Response/>")).create(twilio);
    ZonedDateTime minuteAgo = ZonedDateTime.now(ZoneOffset.UTC).minusMinutes(1);
    ZonedDateTime inAMinute = minuteAgo.plusMinutes(2);

    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).setFrom(new PhoneNumber(SENDER)).read(twilio))
        .extracting(Call::getSid).containsExactly(queued.getSid(), finished.getSid());
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).read(twilio))
        .extracting(Call::getSid).containsExactlyInAnyOrder(queued.getSid(), finished.getSid(), otherSender.getSid());
    assertThat(Call.reader().setFrom(new PhoneNumber(SENDER)).read(twilio))
        .extracting(Call::getSid).containsExactlyInAnyOrder(queued.getSid(), finished.getSid(), otherPhone.getSid());
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).setFrom(new PhoneNumber(SENDER)).setStartTimeAfter(minuteAgo).read(twilio))
        .extracting(Call::getSid).containsExactly(finished.getSid());
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).setStartTimeAfter(inAMinute).read(twilio)).isEmpty();
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).setStartTimeBefore(inAMinute).read(twilio))
        .extracting(Call::getSid).containsExactly(finished.getSid());
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).setEndTimeAfter(minuteAgo).setEndTimeBefore(inAMinute).read(twilio))
        .extracting(Call::getSid).containsExactly(finished.getSid());
    assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).setStatus(Call.Status.QUEUED).read(twilio))
        .extracting(Call::getSid).containsExactlyInAnyOrder(queued.getSid(), otherSender.getSid());

    String today = LocalDate.now(ZoneOffset.UTC).toString();
    JsonObject page = listCalls("To=%2B15551230001&StartTime%3E=" + today + "&PageSize=1").bodyAsJsonObject();
    assertThat(page.getJsonArray("calls")).hasSize(1);
    assertThat(page.getJsonArray("calls").getJsonObject(0).getString("sid")).isEqualTo(finished.getSid());
    assertThat(page.getString("first_page_uri")).contains("StartTime%3E=" + today).contains("PageSize=1");
    assertThat(page.getString("next_page_uri")).isNull();
    HttpResponse<Buffer> bad = listCalls("StartTime%3E=yesterday");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.bodyAsJsonObject().getInteger("code")).isEqualTo(20001);
  }

  @Test
  @DisplayName("calls hanging: a call create is carried out (the call is stored, listed and rings) but never answered; messages are not held")
  void hangingCallCreates() throws Exception {
    JsonObject state = web.postAbs(simulator.baseUrl() + "/sim/api/faults/calls/hang").send().await().bodyAsJsonObject();
    assertThat(state.getBoolean("hangCalls")).isTrue();
    assertThat(state.getBoolean("hang")).isFalse();
    try (OneAttemptHttpClient impatientHttp = new OneAttemptHttpClient(simulator.baseUrl(), Duration.ofSeconds(2), Duration.ofMillis(400))) {
      TwilioRestClient impatient = new TwilioRestClient.Builder(ACCOUNT, TOKEN).httpClient(impatientHttp).build();

      TwilioException lost = catchThrowableOfType(TwilioException.class, () -> Call.creator(new PhoneNumber(NURSE),
          new PhoneNumber(SENDER), new Twiml(gatherTwiml("http://127.0.0.1:9/x", "Code red. Press 1."))).create(impatient));

      assertThat(lost).isNotNull();
      assertThat(simulator.callsTo(NURSE)).hasSize(1);
      String sid = simulator.callsTo(NURSE).get(0).sid();
      assertThat(eventually(() -> simulator.call(sid).orElseThrow().awaitingKeys())).as("the phone rings and is answered").isTrue();
      assertThat(Call.reader().setTo(new PhoneNumber(NURSE)).read(impatient)).extracting(Call::getSid).containsExactly(sid);
      assertThat(Message.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), "SMS still answered").create(impatient).getSid())
          .startsWith("SM");
    }

    assertThat(web.deleteAbs(simulator.baseUrl() + "/sim/api/faults/calls/hang").send().await().bodyAsJsonObject()
        .getBoolean("hangCalls")).isFalse();
    assertThat(Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml("<Response/>")).create(twilio).getSid())
        .startsWith("CA");
    simulator.faults().hangCalls(true);
    simulator.faults().reset();
    assertThat(simulator.faults().callsHanging()).isFalse();
  }

  @Test
  @DisplayName("stopping the simulator drops the call creates left hanging: the client does not wait for its timeout")
  void stopDropsHangingCallCreates() throws InterruptedException {
    simulator.faults().hangCalls(true);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Thread caller = new Thread(() -> {
      try (OneAttemptHttpClient patient = new OneAttemptHttpClient(simulator.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(20))) {
        Call.creator(new PhoneNumber(NURSE), new PhoneNumber(SENDER), new Twiml("<Response/>"))
            .create(new TwilioRestClient.Builder(ACCOUNT, TOKEN).httpClient(patient).build());
      } catch (Throwable t) {
        failures.add(t);
      }
    });
    caller.start();
    assertThat(eventually(() -> simulator.calls().size() == 1)).isTrue();

    long started = System.nanoTime();
    simulator.stop().await();
    caller.join(5_000);

    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    assertThat(failures).singleElement().isInstanceOf(TwilioException.class);
  }

  @Test
  @DisplayName("the Calls API validates as Twilio does: To (21201), From (21213), Url or Twiml (21205)")
  void validation() {
    assertThat(createCall(form("From", SENDER, "Twiml", "<Response/>")).bodyAsJsonObject().getInteger("code")).isEqualTo(21201);
    assertThat(createCall(form("To", "nurse", "From", SENDER, "Twiml", "<Response/>")).bodyAsJsonObject().getInteger("code"))
        .isEqualTo(21211);
    assertThat(createCall(form("To", NURSE, "Twiml", "<Response/>")).bodyAsJsonObject().getInteger("code")).isEqualTo(21213);
    HttpResponse<Buffer> noInstructions = createCall(form("To", NURSE, "From", SENDER));
    assertThat(noInstructions.statusCode()).isEqualTo(400);
    assertThat(noInstructions.bodyAsJsonObject().getInteger("code")).isEqualTo(21205);
    assertThat(createCall(form("To", NURSE, "From", SENDER, "Url", "/relative")).bodyAsJsonObject().getInteger("code")).isEqualTo(21205);
    assertThat(simulator.calls()).isEmpty();
  }

  @Test
  @DisplayName("the phone page shows calls with keys to press")
  void page() {
    String html = web.getAbs(simulator.baseUrl() + "/sim/").send().await().bodyAsString();

    assertThat(html).contains("/sim/api/calls").contains("press ").contains("/press");
  }

  private HttpResponse<Buffer> press(String sid, String digits) {
    return web.postAbs(simulator.baseUrl() + "/sim/api/calls/" + sid + "/press")
        .sendJsonObject(new JsonObject().put("digits", digits)).await();
  }

  private HttpResponse<Buffer> listCalls(String query) {
    return web.getAbs(simulator.baseUrl() + "/2010-04-01/Accounts/" + ACCOUNT + "/Calls.json?" + query)
        .basicAuthentication(ACCOUNT, TOKEN).send().await();
  }

  private HttpResponse<Buffer> createCall(MultiMap form) {
    return web.postAbs(simulator.baseUrl() + "/2010-04-01/Accounts/" + ACCOUNT + "/Calls.json")
        .basicAuthentication(ACCOUNT, TOKEN).sendForm(form).await();
  }

  private static String gatherTwiml(String action, String say) {
    return "<Response><Gather numDigits=\"1\" action=\"" + action + "\"><Say>" + say + "</Say></Gather></Response>";
  }

  private static MultiMap form(String... namesAndValues) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      form.add(namesAndValues[i], namesAndValues[i + 1]);
    }
    return form;
  }
}
