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

  private Http() {
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

  public static Response send(HttpRequest.Builder builder) {
    try {
      HttpResponse<String> r = CLIENT.send(builder.timeout(Duration.ofSeconds(20)).build(),
          HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
