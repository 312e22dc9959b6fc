package io.muster.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on a loopback port that a test controls: it forwards each connection to the target
 * until {@link #cut} closes every open connection and refuses new ones (each is accepted and closed
 * at once, so the port stays the proxy's), and {@link #restore} lets connections through again.
 * Plain blocking sockets, two threads per connection; no dependencies.
 */
public final class TcpProxy implements AutoCloseable {
  private final String targetHost;
  private final int targetPort;
  private final ServerSocket server;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean closed;

  private TcpProxy(String targetHost, int targetPort, ServerSocket server) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.server = server;
  }

  /** A proxy on a free loopback port that forwards to {@code targetHost}:{@code targetPort}. */
  public static TcpProxy start(String targetHost, int targetPort) {
    try {
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
      TcpProxy proxy = new TcpProxy(targetHost, targetPort, server);
      thread("tcp-proxy-accept-" + server.getLocalPort(), proxy::acceptLoop).start();
      return proxy;
    } catch (IOException e) {
      throw new IllegalStateException("the proxy cannot listen: " + e.getMessage(), e);
    }
  }

  /** The loopback port the proxy listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** Closes every open connection and refuses new ones until {@link #restore}. */
  public void cut() {
    cut = true;
    closeAll();
  }

  /** Lets new connections through again. */
  public void restore() {
    cut = false;
  }

  @Override
  public void close() {
    closed = true;
    cut = true;
    quietly(server);
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
        quietly(client);
      } else {
        thread("tcp-proxy-connect-" + port(), () -> connect(client)).start();
      }
    }
  }

  private void connect(Socket client) {
    Socket upstream = new Socket();
    try {
      client.setTcpNoDelay(true);
      upstream.setTcpNoDelay(true);
      upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
    } catch (IOException e) {
      quietly(client);
      quietly(upstream);
      return;
    }
    open.add(client);
    open.add(upstream);
    if (cut) {   // cut while this one was connecting: it must not outlive the cut
      closePair(client, upstream);
      return;
    }
    thread("tcp-proxy-up-" + port(), () -> pump(client, upstream)).start();
    thread("tcp-proxy-down-" + port(), () -> pump(upstream, client)).start();
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16384];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) != -1) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed or the proxy cut it: the pair goes down together
    } finally {
      closePair(from, to);
    }
  }

  private void closePair(Socket a, Socket b) {
    quietly(a);
    quietly(b);
    open.remove(a);
    open.remove(b);
  }

  private void closeAll() {
    for (Socket s : Set.copyOf(open)) {
      quietly(s);
      open.remove(s);
    }
  }

  private static void quietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing is best effort
    }
  }

  private static Thread thread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    return t;
  }
}
