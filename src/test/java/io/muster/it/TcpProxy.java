package io.muster.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy the test controls, between nodes and a server they depend on (PostgreSQL, say):
 * {@link #cut} closes every open connection at once and refuses new ones, as a network failure or a
 * restarting database does; {@link #restore} lets connections through again. Listens on a free
 * loopback port ({@link #port}); plain sockets, two threads per connection.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  private TcpProxy(String targetHost, int targetPort) throws IOException {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  /** A proxy on a free loopback port to {@code targetHost}:{@code targetPort}, accepting at once. */
  public static TcpProxy start(String targetHost, int targetPort) {
    try {
      TcpProxy proxy = new TcpProxy(targetHost, targetPort);
      Thread acceptor = new Thread(proxy::acceptLoop, "tcp-proxy-accept-" + proxy.port());
      acceptor.setDaemon(true);
      acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start a TCP proxy: " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Closes every open connection (both sides) and refuses new ones until {@link #restore}. */
  public void cut() {
    cut = true;
    closeAll();
  }

  /** New connections go through again. */
  public void restore() {
    cut = false;
  }

  /** How many connections (client side and server side each count) are open now. */
  public int openSockets() {
    return open.size();
  }

  @Override
  public void close() {
    closed = true;
    cut = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    closeAll();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (closed) {
          return;
        }
        continue;
      }
      if (cut) {
        // Refused: closed at once, reset rather than a graceful end, like a port nobody listens on.
        reset(client);
        continue;
      }
      connect(client);
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 5_000);
    } catch (IOException e) {
      reset(client);
      quietClose(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    if (cut) {  // cut while connecting: this pair must not survive it
      quietClose(client);
      quietClose(upstream);
      return;
    }
    pump(client, upstream, "up");
    pump(upstream, client, "down");
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread t = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
        }
      } catch (IOException ignored) {
        // one side went away: the pair ends
      } finally {
        quietClose(from);
        quietClose(to);
      }
    }, "tcp-proxy-" + direction + "-" + port());
    t.setDaemon(true);
    t.start();
  }

  private void closeAll() {
    for (Socket s : Set.copyOf(open)) {
      reset(s);
    }
  }

  /** Closes with a reset (SO_LINGER 0), so the peer learns at once that the connection is gone. */
  private void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
    } catch (SocketException ignored) {
      // already closed
    }
    quietClose(s);
  }

  private void quietClose(Socket s) {
    open.remove(s);
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
