package io.muster.sim;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers {@link Faults}' hangs hold back, for the Messages and the Calls API alike: the request
 * was handled, but its client never hears so and times out. A held request stays open until the
 * client gives up or the simulator stops ({@link #releaseAll}).
 */
final class HeldAnswers {

  private final Set<HttpServerResponse> held = ConcurrentHashMap.newKeySet();

  /** Never answers this request. */
  void hold(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    held.add(response);
    response.closeHandler(closed -> held.remove(response));
  }

  /** How many answers are held right now: their clients have not given up yet. */
  int count() {
    return held.size();
  }

  /** Closes the connections of the held answers: the clients see them drop. */
  void releaseAll() {
    for (HttpServerResponse response : held) {
      held.remove(response);
      try {
        response.reset();
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }
}
