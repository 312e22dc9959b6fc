package io.muster.sim;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A test HTTP server on a free loopback port that records every request (path, query, signature,
 * form parameters) and answers each with a fixed status and body, or never answers at all.
 */
public final class RecordingServer {

  /** One request as it arrived. */
  public record Received(String method, String pathAndQuery, String signature, Map<String, String> params) {}

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final int status;
  private final String body;
  private HttpServer server;

  private RecordingServer(int status, String body) {
    this.status = status;
    this.body = body;
  }

  /** Answers every request with {@code status} and {@code body} (JSON); status 0 never answers. */
  public static RecordingServer start(Vertx vertx, int status, String body) {
    RecordingServer recorder = new RecordingServer(status, body);
    recorder.server = vertx.createHttpServer().requestHandler(recorder::record).listen(0, "127.0.0.1").await();
    return recorder;
  }

  public static RecordingServer answering200(Vertx vertx) {
    return start(vertx, 200, "{}");
  }

  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + server.actualPort() + pathAndQuery;
  }

  public String baseUrl() {
    return url("");
  }

  /** The next request, waiting up to {@code timeout}; fails if none comes. */
  public Received next(Duration timeout) throws InterruptedException {
    Received next = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (next == null) {
      throw new AssertionError("no request arrived within " + timeout);
    }
    return next;
  }

  /** Requests received so far and not yet taken with {@link #next}. */
  public int pending() {
    return received.size();
  }

  public void close() {
    server.close().await();
  }

  private void record(HttpServerRequest request) {
    if (request.method() == HttpMethod.POST) {
      request.setExpectMultipart(true); // decode the form; Vert.x refuses this on a GET
    }
    request.end().onSuccess(done -> {
      Map<String, String> params = new LinkedHashMap<>();
      request.formAttributes().forEach(e -> params.put(e.getKey(), e.getValue()));
      received.add(new Received(request.method().name(), request.uri(), request.getHeader("X-Twilio-Signature"), params));
      if (status > 0) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
      }
    });
  }
}
