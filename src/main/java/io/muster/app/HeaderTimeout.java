package io.muster.app;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
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

  /**
   * A request's headers have arrived (the router's first handler: it runs as they do); the next
   * request is awaited once this one is answered. "Answered" is heard through the routing
   * context's end handlers, which other handlers add to as well: the response has one end handler
   * only, and the router takes it over as soon as any handler adds one (the API's audit does, on
   * every change). The body's timer is cancelled once the request is answered with its body read:
   * it holds the request and its routing context, and a node answering hundreds of requests a
   * second would otherwise keep three header timeouts' worth of them on its heap.
   */
  void arrived(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    HttpConnection connection = request.connection();
    cancel(connection);
    if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
      long body = vertx.setTimer(3 * millis, id -> {
        if (!request.isEnded()) {
          connection.close();
        }
      });
      ctx.addEndHandler(v -> {
        if (request.isEnded()) {
          vertx.cancelTimer(body);
        }
        await(connection);
      });
    }
    ctx.next();
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
