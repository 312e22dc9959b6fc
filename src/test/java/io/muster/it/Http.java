package io.muster.it;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A real HTTP client (the JDK's) for talking to a node the way any API user does. */
public final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Response(int status, Map<String, java.util.List<String>> headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.getOrDefault(name.toLowerCase(), java.util.List.of()).stream().findFirst().orElse(null);
    }
  }

  /** Access tokens by node address ("127.0.0.1:port"): API requests to a node carry its token. */
  private static final Map<String, String> TOKENS = new java.util.concurrent.ConcurrentHashMap<>();

  private Http() {
  }

  /** From now on, API requests to the node at {@code authority} (host:port) sign in with the token. */
  public static void authorize(String authority, String token) {
    TOKENS.put(authority, token);
  }

  public static String token(String authority) {
    return TOKENS.get(authority);
  }

  public static Response get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  public static Response postJson(String url, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  public static Response post(String url, String contentType, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("content-type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  /**
   * Sends the request; an API request without credentials of its own gets the node's token (see
   * {@link #authorize}).
   */
  public static Response send(HttpRequest.Builder builder) {
    HttpRequest request = builder.timeout(Duration.ofSeconds(20)).build();
    String token = TOKENS.get(request.uri().getAuthority());
    if (token != null && request.uri().getPath().startsWith("/api/")
        && request.headers().firstValue("Authorization").isEmpty() && request.headers().firstValue("X-API-Key").isEmpty()) {
      request = HttpRequest.newBuilder(request, (name, value) -> true).header("Authorization", "Bearer " + token).build();
    }
    return sendAsIs(request);
  }

  /** Sends the request exactly as built: no token is added. */
  public static Response anonymous(HttpRequest.Builder builder) {
    return sendAsIs(builder.timeout(Duration.ofSeconds(20)).build());
  }

  private static Response sendAsIs(HttpRequest request) {
    try {
      HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
