package io.muster.app;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;

/** Headers every answer carries, and the websocket's origin rule. */
final class SecurityHeaders {
  private static final MultiMap HEADERS = MultiMap.caseInsensitiveMultiMap()
      .add("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self';"
          + " script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
      .add("X-Content-Type-Options", "nosniff")
      .add("X-Frame-Options", "DENY")
      .add("Referrer-Policy", "no-referrer")
      .add("Strict-Transport-Security", "max-age=31536000")
      .add("Cross-Origin-Opener-Policy", "same-origin")
      .add("Permissions-Policy", "camera=(), microphone=(), geolocation=()");

  private SecurityHeaders() {
  }

  /** The headers alone, also for answers that no route sends (a request the HTTP decoder refused). */
  static void addTo(MultiMap headers) {
    headers.addAll(HEADERS);
  }

  static void add(RoutingContext ctx) {
    addTo(ctx.response().headers());
    if (ctx.request().path().startsWith("/api/")) {
      ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    }
    ctx.next();
  }

  /**
   * A browser page may open the live stream when it comes from this node (its origin names the host
   * the request was sent to), from the public base URL, or from a configured origin.
   */
  static boolean originAllowed(String origin, HostAndPort authority, MusterConfig config) {
    String o = origin.strip().toLowerCase();
    if (o.equals(originOf(config.http().publicBaseUrl()))) {
      return true;
    }
    if (config.security().allowedOrigins().stream().anyMatch(a -> o.equals(a.strip().toLowerCase()))) {
      return true;
    }
    if (authority == null) {
      return false;
    }
    String host = authority.host() + (authority.port() > 0 ? ":" + authority.port() : "");
    return o.equals("http://" + host.toLowerCase()) || o.equals("https://" + host.toLowerCase());
  }

  private static String originOf(String url) {
    URI u = URI.create(url);
    return (u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 ? ":" + u.getPort() : "")).toLowerCase();
  }
}
