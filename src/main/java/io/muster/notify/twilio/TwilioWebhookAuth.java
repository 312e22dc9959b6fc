package io.muster.notify.twilio;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a Twilio webhook through only when its {@code X-Twilio-Signature} is valid. Mount it after a
 * {@code BodyHandler} on the webhook routes; the handlers after it find the form parameters under
 * {@link #PARAMS} (a {@code Map<String, String>}).
 *
 * <p>Twilio signs the URL it was configured with, which is the public one (behind TLS offload and
 * proxies), so the URL is rebuilt from {@code publicBaseUrl} rather than from the request's Host.
 * Without an auth token nothing can be verified, so everything is refused (fail closed).
 */
public final class TwilioWebhookAuth implements Handler<RoutingContext> {

  /** Context key of the verified form parameters. */
  public static final String PARAMS = "twilio.params";

  private static final Logger LOG = LoggerFactory.getLogger(TwilioWebhookAuth.class);

  private final String authToken;
  private final String publicBaseUrl;

  public TwilioWebhookAuth(String authToken, String publicBaseUrl) {
    if (publicBaseUrl == null || publicBaseUrl.isBlank()) {
      throw new IllegalArgumentException("publicBaseUrl: must not be blank");
    }
    this.authToken = authToken;
    this.publicBaseUrl = stripTrailingSlash(publicBaseUrl.trim());
  }

  @Override
  public void handle(RoutingContext ctx) {
    Map<String, String> params = formParams(ctx.request().formAttributes());
    String signature = ctx.request().getHeader(TwilioSignature.HEADER);
    if (authToken == null || authToken.isBlank()) {
      reject(ctx, "No Twilio auth token is configured, so no webhook can be verified");
    } else if (signature == null || signature.isBlank()) {
      reject(ctx, "Missing Twilio signature");
    } else if (!TwilioSignature.valid(authToken, signedUrl(ctx), params, signature)) {
      reject(ctx, "Invalid Twilio signature");
    } else {
      ctx.put(PARAMS, Collections.unmodifiableMap(params));
      ctx.next();
    }
  }

  /** The URL Twilio signed: the public base, then the path and query exactly as requested. */
  String signedUrl(RoutingContext ctx) {
    String query = ctx.request().query();
    return publicBaseUrl + ctx.request().path() + (query == null || query.isEmpty() ? "" : "?" + query);
  }

  private static Map<String, String> formParams(MultiMap form) {
    // Twilio sends each parameter once; a repeated name would not be signed this way anyway.
    Map<String, String> params = new LinkedHashMap<>();
    form.forEach(entry -> params.putIfAbsent(entry.getKey(), entry.getValue()));
    return params;
  }

  private static void reject(RoutingContext ctx, String message) {
    LOG.warn("Refused Twilio webhook {} {}: {}", ctx.request().method(), ctx.request().path(), message);
    JsonObject error = new JsonObject()
        .put("code", "bad_signature")
        .put("message", message)
        .put("field", TwilioSignature.HEADER);
    ctx.response()
        .setStatusCode(403)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
