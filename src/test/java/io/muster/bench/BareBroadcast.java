package io.muster.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
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
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The yardstick for {@link LiveFanout}: plain Vert.x HTTP servers ({@code args[0]} instances, 1 by
 * default, sharing one port, each on its event loop) that accept websockets on {@code /ws} and write
 * the body of each {@code POST /broadcast}, after {@code {"seq":N,} (N counts the broadcasts), to every
 * open websocket as one text message encoded once, then answer 200. Each instance writes to its own
 * sockets. No compression, no filtering, no journal, no per-client bookkeeping: what Vert.x itself
 * costs for the same fan-out. Run in a JVM of its own; prints {@code READY <port>} and stops when
 * its standard input closes.
 */
public final class BareBroadcast extends VerticleBase {
  /** Every instance's sockets, each list touched on its instance's event loop only. */
  private static final List<Group> GROUPS = new CopyOnWriteArrayList<>();
  private static long sequence;
  private static final int[] PORT = {0};

  private record Group(Context context, List<ServerWebSocket> sockets) { }

  private HttpServer server;

  public static void main(String[] args) throws IOException {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    Vertx vertx = Vertx.vertx();
    String id = vertx.deployVerticle(BareBroadcast::new, new DeploymentOptions().setInstances(instances)).await();
    System.out.println("READY " + PORT[0]);
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // until the parent closes our standard input
    }
    vertx.undeploy(id).await();
    vertx.close().await();
    System.exit(0);
  }

  @Override
  public Future<?> start() {
    Group group = new Group(context, new ArrayList<>());
    GROUPS.add(group);
    server = vertx.createHttpServer(new HttpServerOptions().setTcpNoDelay(true)
            .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false))
        .webSocketHandler(ws -> {
          group.sockets().add(ws);
          ws.closeHandler(v -> group.sockets().remove(ws));
        })
        .requestHandler(request -> {
          if (request.method() == HttpMethod.POST && "/broadcast".equals(request.path())) {
            request.body().onSuccess(body -> {
              broadcast(body.toString(StandardCharsets.UTF_8));
              request.response().end();
            });
          } else {
            request.response().setStatusCode(404).end();
          }
        });
    // A negative port: one random port shared by the instances.
    return server.listen(-1, "127.0.0.1").onSuccess(s -> {
      synchronized (PORT) {
        if (PORT[0] == 0) {
          PORT[0] = s.actualPort();
        }
      }
    });
  }

  /** Numbers the message and queues it on every instance's loop, in one order for all. */
  private static synchronized void broadcast(String body) {
    String text = "{\"seq\":" + (++sequence) + "," + body;
    for (Group g : GROUPS) {
      g.context().runOnContext(v -> {
        for (ServerWebSocket ws : g.sockets()) {
          ws.writeTextMessage(text);
        }
      });
    }
  }
}
