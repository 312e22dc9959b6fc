package io.muster.notify.sim;

import io.muster.notify.twilio.TwilioSignature;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.Map;
import java.util.UUID;

/** Form POSTs to the application, signed with {@code X-Twilio-Signature} as Twilio signs them. */
final class Webhooks {

  private static final long TIMEOUT_MS = 15_000; // Twilio gives a webhook 15 s

  private final WebClient client;
  private final String authToken;

  Webhooks(WebClient client, String authToken) {
    this.client = client;
    this.authToken = authToken;
  }

  /** Completes with the HTTP status the application answered. */
  Future<Integer> post(String url, Map<String, String> params) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    params.forEach(form::add);
    return client.postAbs(url)
        .putHeader(TwilioSignature.HEADER, TwilioSignature.sign(authToken, url, params))
        .putHeader("I-Twilio-Idempotency-Token", UUID.randomUUID().toString())
        .timeout(TIMEOUT_MS)
        .sendForm(form, "UTF-8")
        .map(HttpResponse::statusCode);
  }
}
