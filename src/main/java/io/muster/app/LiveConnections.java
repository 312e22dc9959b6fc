package io.muster.app;

import io.muster.security.Principal;
import io.muster.security.Sessions;
import io.muster.security.Tickets;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The live websockets open on this node, per user and per address: a user or an address over its
 * cap is refused with a close reason that says so, and a user's sockets close within a second or
 * two of their sign-in ending (password, role or facilities changed, disabled, removed, signed out).
 * One per node, shared by the HTTP verticle's instances on their several event loops: admissions
 * and the sign-in check hold its lock, so a cap holds across all of them.
 */
final class LiveConnections {
  /** Policy violation: the server will not serve this connection. */
  static final short REFUSED = 1008;

  private record Open(ServerWebSocket socket, Tickets.Holder holder, String address) { }

  private final Sessions sessions;
  private final int perUser;
  private final int perAddress;
  private final List<Open> open = new ArrayList<>();

  LiveConnections(Sessions sessions, int perUser, int perAddress) {
    this.sessions = sessions;
    this.perUser = perUser;
    this.perAddress = perAddress;
  }

  void start(Vertx vertx) {
    vertx.setPeriodic(1000, id -> recheck());
  }

  /** Null when the socket may stay, else why it may not (the socket has been closed with it). */
  synchronized String admit(ServerWebSocket socket, Tickets.Holder holder, String address) {
    // The hub owns the sockets' close handlers; closed ones are forgotten here when next looked at.
    open.removeIf(o -> o.socket().isClosed());
    Principal p = holder.principal();
    long mine = open.stream().filter(o -> o.holder().principal().id().equals(p.id())).count();
    long here = open.stream().filter(o -> o.address().equals(address)).count();
    String refusal = mine >= perUser ? "too many live connections for " + p.name() + " (at most " + perUser + ")"
        : here >= perAddress ? "too many live connections from this address (at most " + perAddress + ")" : null;
    if (refusal != null) {
      socket.close(REFUSED, refusal);
      return refusal;
    }
    open.add(new Open(socket, holder, address));
    return null;
  }

  private void recheck() {
    Map<String, List<Open>> byUser = new HashMap<>();
    synchronized (this) {
      open.removeIf(o -> o.socket().isClosed());
      for (Open o : open) {
        if (o.holder().principal().kind() == Principal.Kind.USER) {
          byUser.computeIfAbsent(o.holder().principal().id(), k -> new ArrayList<>()).add(o);
        }
      }
    }
    byUser.forEach((user, sockets) -> sessions.standing(user).onSuccess(now -> {
      for (Open o : sockets) {
        if (now.isEmpty() || !Integer.valueOf(now.get().version()).equals(o.holder().tokenVersion())) {
          synchronized (this) {
            open.remove(o);
          }
          // Closing a socket from another event loop is safe: Vert.x hands the close to the socket's own.
          o.socket().close(REFUSED, "your sign-in has ended; sign in again");
        }
      }
    }));
  }
}
