package io.muster.notify.twilio;

import io.muster.sim.TwilioSigner;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
@DisplayName("Twilio webhook authentication")
class TwilioWebhookAuthTest {

  private static final String TOKEN = "test-auth-token";
  /** What Twilio was configured with: not the address the test server listens on. */
  private static final String PUBLIC_BASE = "https://muster.example.org";
  private static final String PATH = "/webhooks/twilio/sms?facility=north";

  private final AtomicInteger handled = new AtomicInteger();
  private HttpServer server;
  private WebClient client;

  @BeforeEach
  void startServer(Vertx vertx, VertxTestContext ctx) {
    client = WebClient.create(vertx);
    Router router = Router.router(vertx);
    router.post("/webhooks/twilio/sms").handler(BodyHandler.create(false)).handler(new TwilioWebhookAuth(TOKEN, PUBLIC_BASE + "/"))
        .handler(rc -> {
          handled.incrementAndGet();
          Map<String, String> params = rc.get(TwilioWebhookAuth.PARAMS);
          rc.json(new JsonObject(new LinkedHashMap<String, Object>(params)));
        });
    router.post("/unconfigured").handler(BodyHandler.create(false)).handler(new TwilioWebhookAuth(" ", PUBLIC_BASE))
        .handler(rc -> handled.incrementAndGet());
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  @AfterEach
  void stop() {
    client.close();
  }

  @Test
  @DisplayName("a correctly signed webhook reaches the next handler with its form parameters")
  void validSignature(VertxTestContext ctx) {
    Map<String, String> params = reply();
    post(PATH, params, TwilioSigner.sign(TOKEN, PUBLIC_BASE + PATH, params))
        .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(200);
          assertThat(response.bodyAsJsonObject().getMap()).isEqualTo(params);
          assertThat(handled).hasValue(1);
          ctx.completeNow();
        })));
  }

  @Test
  @DisplayName("a webhook without a signature is refused with 403 and goes no further")
  void missingSignature(VertxTestContext ctx) {
    expectRefused(ctx, post(PATH, reply(), null));
  }

  @Test
  @DisplayName("a webhook with a made-up signature is refused")
  void wrongSignature(VertxTestContext ctx) {
    expectRefused(ctx, post(PATH, reply(), "bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=="));
  }

  @Test
  @DisplayName("a webhook whose body was changed after signing is refused")
  void tamperedParameter(VertxTestContext ctx) {
    Map<String, String> params = reply();
    String signature = TwilioSigner.sign(TOKEN, PUBLIC_BASE + PATH, params);
    params.put("Body", "3");
    expectRefused(ctx, post(PATH, params, signature));
  }

  @Test
  @DisplayName("a webhook signed for another base URL is refused")
  void signedForAnotherUrl(VertxTestContext ctx) {
    Map<String, String> params = reply();
    expectRefused(ctx, post(PATH, params, TwilioSigner.sign(TOKEN, "https://elsewhere.example.org" + PATH, params)));
  }

  @Test
  @DisplayName("a webhook signed without the query string is refused")
  void signedWithoutQuery(VertxTestContext ctx) {
    Map<String, String> params = reply();
    expectRefused(ctx, post(PATH, params, TwilioSigner.sign(TOKEN, PUBLIC_BASE + "/webhooks/twilio/sms", params)));
  }

  @Test
  @DisplayName("without an auth token every webhook is refused (fail closed)")
  void noAuthToken(VertxTestContext ctx) {
    Map<String, String> params = reply();
    expectRefused(ctx, post("/unconfigured", params, TwilioSigner.sign(" ", PUBLIC_BASE + "/unconfigured", params)));
  }

  private void expectRefused(VertxTestContext ctx, Future<HttpResponse<Buffer>> response) {
    response.onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertThat(r.statusCode()).isEqualTo(403);
      JsonObject error = r.bodyAsJsonObject().getJsonObject("error");
      assertThat(error.getString("code")).isEqualTo("bad_signature");
      assertThat(error.getString("field")).isEqualTo("X-Twilio-Signature");
      assertThat(error.getString("message")).isNotBlank();
      assertThat(handled).hasValue(0);
      ctx.completeNow();
    })));
  }

  private Future<HttpResponse<Buffer>> post(String pathAndQuery, Map<String, String> params, String signature) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    params.forEach(form::add);
    var request = client.post(server.actualPort(), "127.0.0.1", pathAndQuery);
    if (signature != null) {
      request.putHeader(TwilioSignature.HEADER, signature);
    }
    return request.sendForm(form);
  }

  private static Map<String, String> reply() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", "SM0123456789abcdef0123456789abcdef");
    params.put("AccountSid", "AC0123456789abcdef0123456789abcdef");
    params.put("From", "+15551230001");
    params.put("To", "+15005550006");
    params.put("Body", "1 = within 30 min");
    return params;
  }
}
