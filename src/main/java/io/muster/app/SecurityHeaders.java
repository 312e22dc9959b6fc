package io.muster.app;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
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
   * A browser page may open the live stream when its origin is the public base URL's or a
   * configured one. The request's own Host header is not a reason: the client chooses it. When the
   * public base URL is on this machine's loopback (the embedded default), the other loopback
   * spellings of it (localhost, 127.0.0.1, [::1], same scheme and port) count as the same origin.
   */
  static boolean originAllowed(String origin, MusterConfig config) {
    String o = origin.strip().toLowerCase();
    String own = originOf(config.http().publicBaseUrl());
    if (o.equals(own) || config.security().allowedOrigins().stream().anyMatch(a -> o.equals(a.strip().toLowerCase()))) {
      return true;
    }
    return loopback(own) && loopback(o) && o.equals(withHost(own, host(o)));
  }

  private static boolean loopback(String origin) {
    String host = host(origin);
    return host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
  }

  private static String host(String origin) {
    try {
      URI u = URI.create(origin);
      return u.getHost() == null ? "" : u.getHost().toLowerCase();
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  private static String withHost(String origin, String host) {
    URI u = URI.create(origin);
    return (u.getScheme() + "://" + host + (u.getPort() > 0 ? ":" + u.getPort() : "")).toLowerCase();
  }

  /** An origin as a browser writes it: scheme, host, and the port unless it is the scheme's default. */
  private static String originOf(String url) {
    URI u = URI.create(url);
    boolean defaultPort = ("https".equalsIgnoreCase(u.getScheme()) && u.getPort() == 443)
        || ("http".equalsIgnoreCase(u.getScheme()) && u.getPort() == 80);
    return (u.getScheme() + "://" + u.getHost() + (u.getPort() > 0 && !defaultPort ? ":" + u.getPort() : "")).toLowerCase();
  }
}
