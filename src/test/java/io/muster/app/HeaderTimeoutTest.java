package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.Timeout;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.VertxExtension;
import java.lang.ref.WeakReference;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The header timeout's memory: an answered request must not stay on the heap until its body
 * timer (three header timeouts) would have fired. A node answering a few hundred requests a
 * second kept tens of thousands of requests, with their headers and routing contexts, that way.
 */
@ExtendWith(VertxExtension.class)
class HeaderTimeoutTest {
  private static final int REQUESTS = 100;

  private final List<WeakReference<HttpServerRequest>> seen = new CopyOnWriteArrayList<>();
  private final AtomicInteger audited = new AtomicInteger();
  private HttpServer server;
  private HttpClient client;

  @BeforeEach
  void start(Vertx vertx) {
    // 60 s: the body timer of each request would hold it for three minutes.
    server = server(vertx, 60);
    // One kept-alive connection, as an API client or a proxy holds it.
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
  }

  /**
   * A server wired as a node's: the header timeout is the router's first handler, a body handler
   * reads the body, and a later handler adds an end handler of its own, as the API's audit does.
   */
  private HttpServer server(Vertx vertx, int seconds) {
    HeaderTimeout headers = new HeaderTimeout(vertx, seconds);
    Router router = Router.router(vertx);
    router.route().handler(headers::arrived);
    router.route().handler(BodyHandler.create(false));
    router.route().handler(ctx -> {
      seen.add(new WeakReference<>(ctx.request()));
      ctx.addEndHandler(v -> audited.incrementAndGet());
      ctx.response().end("got " + ctx.body().length());
    });
    return vertx.createHttpServer().connectionHandler(headers::opened).requestHandler(router)
        .listen(0, "127.0.0.1").await();
  }

  @AfterEach
  void stop() {
    client.close().await();
    server.close().await();
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("requests answered on a kept-alive connection are not held by their body timers: a full GC collects them")
  void answeredRequestsAreCollected() {
    for (int i = 0; i < REQUESTS; i++) {
      String body = "{\"n\":" + i + "}";
      String answer = client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
              .setPort(server.actualPort()).setURI("/api/v1/incidents"))
          .compose(r -> r.send(body)).compose(r -> r.body()).await().toString();
      assertThat(answer).startsWith("got ");
    }
    assertThat(seen).hasSize(REQUESTS);
    await("the other end handlers ran").until(() -> audited.get() == REQUESTS);
    // The connection may still refer to its latest request; none of the others may stay.
    await("answered requests collected").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          System.gc();
          assertThat(seen.stream().filter(r -> r.get() != null).count())
              .as("answered requests still on the heap after a full GC").isLessThanOrEqualTo(1);
        });
  }

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  @DisplayName("after a request whose handlers added end handlers of their own is answered, a kept-alive connection that"
      + " sends nothing more is closed once the header timeout has passed")
  void keptAliveConnectionWaitsForTheNextHeaders(Vertx vertx) throws Exception {
    HttpServer strict = server(vertx, 1);
    try (Socket s = new Socket("127.0.0.1", strict.actualPort())) {
      s.setSoTimeout(15_000);
      s.getOutputStream().write(("POST /api/v1/incidents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
          + "\r\nContent-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      StringBuilder answer = new StringBuilder();
      while (!answer.toString().endsWith("got 2")) {
        int c = s.getInputStream().read();
        assertThat(c).as("the request is answered: %s", answer).isNotNegative();
        answer.append((char) c);
      }
      long answered = System.nanoTime();
      // Sends nothing more: the server must close the connection (read gives -1), not wait for ever.
      assertThat(s.getInputStream().read()).as("the server closed the idle kept-alive connection").isEqualTo(-1);
      assertThat(Duration.ofNanos(System.nanoTime() - answered)).isLessThan(Duration.ofSeconds(10));
    } finally {
      strict.close().await();
    }
  }
}
