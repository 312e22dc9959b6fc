package io.muster.bench;

import io.muster.it.LiveClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The benchmark's reader of {@code /ws/live}, as the dashboard reads it: when the hub closes the
 * stream (a client that fell behind), it reconnects at once with {@code since} set to the last
 * sequence it has, so that it gets every event once. Events are handed over in order.
 */
final class LiveStream implements AutoCloseable {
  private final WebSocketClient client;
  private final int port;
  private final BlockingQueue<JsonObject> events = new LinkedBlockingQueue<>();
  private final AtomicInteger resumes = new AtomicInteger();
  /** The newest sequence received; written by the websocket's handlers only. */
  private volatile long lastSeq = -1;
  private volatile boolean closed;
  private volatile WebSocket socket;

  private LiveStream(Vertx vertx, int port) {
    this.client = vertx.createWebSocketClient();
    this.port = port;
  }

  /** Connects and waits for the snapshot; events from then on are queued. */
  static LiveStream open(Vertx vertx, int port) {
    LiveStream stream = new LiveStream(vertx, port);
    stream.connect();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (stream.lastSeq < 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no snapshot from the live stream on port " + port);
      }
      sleep(10);
    }
    return stream;
  }

  /** The next event, or null when none came within the timeout. */
  JsonObject next(Duration timeout) throws InterruptedException {
    return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  int resumes() {
    return resumes.get();
  }

  private void connect() {
    while (!closed) {
      try {
        long since = lastSeq;
        // The handlers are set on the socket's event loop as it opens, before its first message.
        socket = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
            .setAllowOriginHeader(false)
            .setURI("/ws/live?ticket=" + LiveClient.ticket(port) + (since < 0 ? "" : "&since=" + since)))
            .map(ws -> ws.textMessageHandler(text -> receive(new JsonObject(text))).closeHandler(v -> reconnect()))
            .await();
        return;
      } catch (RuntimeException | AssertionError e) {
        sleep(100);
      }
    }
  }

  private void receive(JsonObject message) {
    if ("snapshot".equals(message.getString("kind"))) {
      if (lastSeq < 0) {
        lastSeq = message.getLong("seq");
      }
    } else if ("event".equals(message.getString("kind")) && message.getLong("seq") > lastSeq) {
      lastSeq = message.getLong("seq");
      events.add(message);
    }
  }

  /** On the websocket's event loop: the blocking sign-in for a ticket goes to a thread of its own. */
  private void reconnect() {
    if (!closed) {
      resumes.incrementAndGet();
      new Thread(this::connect, "live-stream-reconnect").start();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    WebSocket ws = socket;
    if (ws != null) {
      ws.close();
    }
    client.close();
  }
}
