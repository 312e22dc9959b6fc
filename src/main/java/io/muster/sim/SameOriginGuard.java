package io.muster.sim;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Keeps other web pages out of the phones' side of the simulator. A reply or a key press there
 * becomes a webhook signed with the account's token, which the application trusts as the phone's
 * answer, so a page on another site must not be able to send one through a browser that can reach
 * the simulator. A request that changes something must therefore come from the phone view itself
 * (no {@code Origin} header, as from tests and scripts, or the simulator's own origin), and a body
 * must be {@code application/json}, which a foreign page cannot send without a CORS preflight that
 * the simulator never grants.
 *
 * <p>The own origin is the one the request was sent to ({@code Host}), named by an IP address,
 * {@code localhost} or the configured host: a name that a foreign site could point at this machine
 * (DNS rebinding) is not trusted.
 */
final class SameOriginGuard implements Handler<RoutingContext> {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final String configuredHost;

  SameOriginGuard(String configuredHost) {
    this.configuredHost = configuredHost.toLowerCase(Locale.ROOT);
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
      ctx.next();
      return;
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !ownOrigin(origin, request.authority())) {
      SimApiJson.error(ctx, 403, "foreign_origin",
          "Only the simulator's own phone view may do this; the request came from another origin", "Origin");
    } else if (!jsonOrNoBody(request)) {
      SimApiJson.error(ctx, 415, "unsupported_media_type", "The body must be application/json", "Content-Type");
    } else {
      ctx.next();
    }
  }

  /** Without a Content-Type the body must be empty (a bare POST such as a hang-up). */
  private static boolean jsonOrNoBody(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type != null) {
      String mime = type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
      return mime.equals("application/json");
    }
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    boolean hasBody = request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null
        || (length != null && !"0".equals(length.strip()));
    return !hasBody;
  }

  private boolean ownOrigin(String origin, HostAndPort authority) {
    if (authority == null || !trustedName(authority.host().toLowerCase(Locale.ROOT))) {
      return false;
    }
    URI uri;
    try {
      uri = new URI(origin.strip());
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    return "http".equalsIgnoreCase(uri.getScheme())
        && authority.host().equalsIgnoreCase(uri.getHost())
        && portOr80(uri.getPort()) == portOr80(authority.port())
        && (uri.getRawPath() == null || uri.getRawPath().isEmpty());
  }

  private boolean trustedName(String host) {
    return host.equals("localhost") || host.equals(configuredHost) || host.startsWith("[") || IPV4.matcher(host).matches();
  }

  private static int portOr80(int port) {
    return port > 0 ? port : 80;
  }
}
