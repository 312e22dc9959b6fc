package io.muster.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The yardstick for {@link LiveFanout}: a plain Vert.x HTTP server (one instance, one event loop)
 * that accepts websockets on {@code /ws} and writes the body of each {@code POST /broadcast}, after
 * {@code {"seq":N,} (N counts the broadcasts), to every open websocket as one text message encoded
 * once, then answers 200. No compression, no
 * filtering, no journal, no per-client bookkeeping: what Vert.x itself costs for the same fan-out.
 * Run in a JVM of its own; prints {@code READY <port>} and stops when its standard input closes.
 */
public final class BareBroadcast {
  private BareBroadcast() {
  }

  public static void main(String[] args) throws IOException {
    Vertx vertx = Vertx.vertx();
    List<ServerWebSocket> sockets = new ArrayList<>();
    long[] sequence = {0};
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .webSocketHandler(ws -> {
          sockets.add(ws);
          ws.closeHandler(v -> sockets.remove(ws));
        })
        .requestHandler(request -> {
          if (request.method() == HttpMethod.POST && "/broadcast".equals(request.path())) {
            request.body().onSuccess(body -> {
              String text = "{\"seq\":" + (++sequence[0]) + "," + body.toString(StandardCharsets.UTF_8);
              for (ServerWebSocket ws : sockets) {
                ws.writeTextMessage(text);
              }
              request.response().end();
            });
          } else {
            request.response().setStatusCode(404).end();
          }
        });
    int port = server.listen(0, "127.0.0.1").await().actualPort();
    System.out.println("READY " + port);
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // until the parent closes our standard input
    }
    vertx.close().await();
    System.exit(0);
  }
}
