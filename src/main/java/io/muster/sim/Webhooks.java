package io.muster.sim;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * Requests to the application, signed with {@code X-Twilio-Signature} as Twilio signs them: a form
 * POST is signed over the URL and its parameters; a GET carries the parameters in its query string
 * and is signed over that full URL alone.
 */
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
    return send("POST", url, params).map(HttpResponse::statusCode);
  }

  /** A POST (the default) or, when {@code method} is GET, a GET; completes with the whole answer. */
  Future<HttpResponse<Buffer>> send(String method, String url, Map<String, String> params) {
    if ("GET".equalsIgnoreCase(method)) {
      String full = withQuery(url, params);
      return client.getAbs(full)
          .putHeader(TwilioSigner.HEADER, TwilioSigner.sign(authToken, full, Map.of()))
          .putHeader("I-Twilio-Idempotency-Token", UUID.randomUUID().toString())
          .timeout(TIMEOUT_MS)
          .send();
    }
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    params.forEach(form::add);
    return client.postAbs(url)
        .putHeader(TwilioSigner.HEADER, TwilioSigner.sign(authToken, url, params))
        .putHeader("I-Twilio-Idempotency-Token", UUID.randomUUID().toString())
        .timeout(TIMEOUT_MS)
        .sendForm(form, "UTF-8");
  }

  private static String withQuery(String url, Map<String, String> params) {
    StringBuilder full = new StringBuilder(url);
    char separator = url.contains("?") ? '&' : '?';
    for (Map.Entry<String, String> param : params.entrySet()) {
      full.append(separator).append(encode(param.getKey())).append('=').append(encode(param.getValue()));
      separator = '&';
    }
    return full.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }
}
