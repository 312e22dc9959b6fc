package io.muster.app;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Closes a connection that takes longer than {@code seconds} to send a request's headers, counted
 * from when it opened or from the end of its previous answer, or three times as long to send the
 * body after them. A client that trickles one header line or a few body bytes every few seconds
 * (which an idle timeout never notices, because each is activity) cannot hold a connection open.
 * Everything runs on the server's event loop.
 */
final class HeaderTimeout {
  private final Vertx vertx;
  private final long millis;
  private final Map<HttpConnection, Long> waiting = new WeakHashMap<>();

  HeaderTimeout(Vertx vertx, int seconds) {
    this.vertx = vertx;
    this.millis = seconds * 1000L;
  }

  /** A new connection: its first request's headers must come in time. */
  void opened(HttpConnection connection) {
    await(connection);
    connection.closeHandler(v -> cancel(connection));
  }

  /** A request's headers have arrived; the next request is awaited once this one is answered. */
  void arrived(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    cancel(connection);
    boolean upgrade = "websocket".equalsIgnoreCase(request.getHeader("Upgrade"));
    if (!upgrade) {
      vertx.setTimer(3 * millis, id -> {
        if (!request.isEnded()) {
          connection.close();
        }
      });
    }
    request.response().endHandler(v -> {
      if (!upgrade) {
        await(connection);
      }
    });
  }

  private void await(HttpConnection connection) {
    cancel(connection);
    waiting.put(connection, vertx.setTimer(millis, id -> {
      waiting.remove(connection);
      connection.close();
    }));
  }

  private void cancel(HttpConnection connection) {
    Long timer = waiting.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
