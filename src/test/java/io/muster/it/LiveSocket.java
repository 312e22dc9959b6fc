package io.muster.it;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A websocket on {@code /ws/live} that notes how the server ends it (close code and reason), for
 * tests of who may keep a live stream open. {@link LiveClient} reads the stream; this watches its end.
 */
final class LiveSocket implements AutoCloseable {
  /** How the server closed the socket: a close frame's code and reason, or -1 and the error. */
  record Closed(int code, String reason) { }

  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
  private final CompletableFuture<Closed> closed = new CompletableFuture<>();
  private final WebSocket socket;

  private LiveSocket(URI uri, String origin) {
    WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
    if (origin != null) {
      builder.header("Origin", origin);
    }
    socket = builder.buildAsync(uri, new Listener()).join();
  }

  /** Opens the live stream on the node at {@code port} with the ticket (no Origin: not a browser). */
  static LiveSocket open(int port, String ticket) {
    return open(port, ticket, null);
  }

  static LiveSocket open(int port, String ticket, String origin) {
    return new LiveSocket(URI.create("ws://127.0.0.1:" + port + "/ws/live?ticket=" + ticket), origin);
  }

  /** Opens the stream with a fresh ticket for the token's holder and waits for the snapshot. */
  static LiveSocket streaming(int port, String token) {
    LiveSocket s = open(port, LiveClient.ticket(port, token));
    s.await(m -> "snapshot".equals(m.getString("kind")), Duration.ofSeconds(15));
    return s;
  }

  /** The handshake's answer: 101 when the socket opened (it is closed again at once), else the HTTP status. */
  static int handshake(int port, String ticket, String origin) {
    try (LiveSocket s = open(port, ticket, origin)) {
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        return h.getResponse().statusCode();
      }
      throw e;
    }
  }

  /**
   * A handshake written by hand, for what a browser-side client cannot choose through the JDK client:
   * the Host header. Returns the status of the answer.
   */
  static int rawHandshake(int port, String ticket, String host, String origin) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      String key = Base64.getEncoder().encodeToString("muster-live-test".getBytes(StandardCharsets.US_ASCII));
      String request = "GET /ws/live?ticket=" + ticket + " HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
          + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n";
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
        line.append((char) c);
      }
      String[] parts = line.toString().split(" ");
      if (parts.length < 2) {
        throw new AssertionError("no HTTP status line: '" + line + "'");
      }
      return Integer.parseInt(parts[1]);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a message that matches; returns it. */
  JsonObject await(Predicate<JsonObject> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        JsonObject m = messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (m == null) {
          throw new AssertionError("no matching message within " + timeout + (closed.isDone() ? "; closed: "
              + closed.getNow(null) : ""));
        }
        if (match.test(m)) {
          return m;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Whether the server admitted the socket: true when the snapshot came, false when it closed it first. */
  boolean admitted(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        JsonObject m = messages.poll(20, TimeUnit.MILLISECONDS);
        if (m != null && "snapshot".equals(m.getString("kind"))) {
          return true;
        }
        if (m == null && closed.isDone()) {
          return false;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    throw new AssertionError("neither a snapshot nor a close within " + timeout);
  }

  /** Waits until the server closes the socket; how it did. */
  Closed awaitClose(Duration timeout) {
    try {
      return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the server did not close the socket within " + timeout);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        messages.add(new JsonObject(partial.toString()));
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(new Closed(statusCode, reason));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(new Closed(-1, String.valueOf(error)));
    }
  }
}
