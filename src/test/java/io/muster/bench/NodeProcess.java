package io.muster.bench;

import io.muster.app.Muster;
import io.muster.it.Http;
import io.muster.it.TestDatabase;
import io.muster.it.TestNodes;
import io.vertx.core.json.JsonObject;
import io.muster.store.H2Durability;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Muster nodes in a JVM of their own, so that a benchmark's load generator does not share the
 * nodes' CPU time and heap. The child builds its nodes exactly as the integration tests do
 * ({@link TestNodes}, a fresh {@link TestDatabase}), prints one line {@code READY <pid> <port>=<token>...}
 * (each node's HTTP port and its test administrator's access token), and stops its nodes (and drops its database) when its standard input says {@code stop} or closes.
 * When its standard input says {@code stats}, it prints one {@code STATS} line ({@link Stats}).
 */
public final class NodeProcess implements AutoCloseable {
  private static final String READY = "READY ";
  private static final String STATS = "STATS ";

  private final Process process;
  private final Map<Integer, String> tokens;
  private final Path log;
  private final BlockingQueue<String> stats;
  private final PrintWriter commands;

  private NodeProcess(Process process, Map<Integer, String> tokens, Path log, BlockingQueue<String> stats) {
    this.process = process;
    this.tokens = tokens;
    this.log = log;
    this.stats = stats;
    this.commands = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  /**
   * What the child JVM holds, measured inside it: heap used after a full collection (the GC is
   * forced, so this pauses the nodes briefly), threads, the database's open connections (as the
   * database counts them, for all nodes) and the outbox backlog (notifications queued or sending).
   */
  public record Stats(long heapUsedAfterGc, long heapCommitted, int threads, int dbConnections, int dbBusy,
                      long outbox) {
    static Stats parse(String line) {
      Map<String, Long> v = new LinkedHashMap<>();
      Arrays.stream(line.trim().split(" ")).map(kv -> kv.split("=", 2))
          .forEach(kv -> v.put(kv[0], Long.valueOf(kv[1])));
      return new Stats(v.get("heapUsed"), v.get("heapCommitted"), v.get("threads").intValue(),
          v.get("dbConnections").intValue(), v.get("dbBusy").intValue(), v.get("outbox"));
    }

    String format() {
      return "heapUsed=" + heapUsedAfterGc + " heapCommitted=" + heapCommitted + " threads=" + threads
          + " dbConnections=" + dbConnections + " dbBusy=" + dbBusy + " outbox=" + outbox;
    }
  }

  /** Asks the child for its {@link Stats}; waits for them. */
  public synchronized Stats stats(Duration timeout) throws InterruptedException {
    stats.clear();
    commands.println("stats");
    String line = stats.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (line == null) {
      throw new IllegalStateException("no stats from the node process within " + timeout + "; see " + log);
    }
    return Stats.parse(line);
  }

  /** The child JVM's resident set size in bytes, from {@code /proc/<pid>/status} (Linux), or -1. */
  public long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * Starts {@code count} nodes (clustered when more than one) on a fresh {@code kind} database
   * ("h2" or "postgres") in a child JVM with the same classpath, plus {@code jvmArgs}.
   */
  public static NodeProcess start(String kind, int count, JsonObject files, List<String> jvmArgs, Path log)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-cp");
    command.add(classpath());
    command.add(NodeProcess.class.getName());
    command.add(kind);
    command.add(Integer.toString(count));
    command.add(files.encode());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CompletableFuture<Map<Integer, String>> ready = new CompletableFuture<>();
    BlockingQueue<String> stats = new LinkedBlockingQueue<>();
    Thread drain = new Thread(() -> drain(process, log, ready, stats), "node-process-output");
    drain.setDaemon(true);
    drain.start();
    try {
      return new NodeProcess(process, ready.get(180, TimeUnit.SECONDS), log, stats);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      process.destroyForcibly();
      throw new IllegalStateException("the node process did not start; see " + log, e);
    }
  }

  /** The nodes' HTTP ports, in start order. */
  public List<Integer> ports() {
    return List.copyOf(tokens.keySet());
  }

  /** An access token of the test administrator, for API requests to the node at {@code port}. */
  public String token(int port) {
    return tokens.get(port);
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  /** Copies the child's output to the log, and hands over the ports of its READY line and its STATS lines. */
  private static void drain(Process process, Path log, CompletableFuture<Map<Integer, String>> ready,
                            BlockingQueue<String> stats) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.startsWith(READY) && !ready.isDone()) {
          Map<Integer, String> nodes = new LinkedHashMap<>();
          Arrays.stream(line.substring(READY.length()).trim().split(" ")).skip(1).map(node -> node.split("=", 2))
              .forEach(node -> nodes.put(Integer.valueOf(node[0]), node[1]));
          ready.complete(nodes);
        } else if (line.startsWith(STATS)) {
          stats.add(line.substring(STATS.length()));
          continue;
        }
        out.write(line);
        out.write('\n');
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      ready.completeExceptionally(e);
    }
    ready.completeExceptionally(new IllegalStateException("the node process exited"));
  }

  /**
   * The classpath this JVM was started with. Under {@code exec:java} the project's classes are in
   * the plugin's class loader, not in {@code java.class.path} (which is Maven's own).
   */
  static String classpath() {
    List<String> entries = new ArrayList<>();
    for (ClassLoader cl = NodeProcess.class.getClassLoader(); cl != null; cl = cl.getParent()) {
      if (cl instanceof URLClassLoader urls) {
        for (URL url : urls.getURLs()) {
          try {
            entries.add(Paths.get(url.toURI()).toString());
          } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("classpath entry " + url, e);
          }
        }
        break;
      }
    }
    return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
  }

  @Override
  public void close() throws InterruptedException {
    synchronized (this) {
      commands.println("stop");
      commands.close();
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The child: {@code <kind> <count> <files JSON>}. */
  public static void main(String[] args) throws Exception {
    String kind = args[0];
    int count = Integer.parseInt(args[1]);
    JsonObject files = new JsonObject(args[2]);
    try (TestDatabase db = TestDatabase.create(kind); TestNodes nodes = new TestNodes(db, -1, -1)) {
      List<Muster> started = count == 1 ? List.of(nodes.start(files)) : nodes.startCluster(count, files);
      StringBuilder ready = new StringBuilder(READY).append(ProcessHandle.current().pid());
      started.forEach(node -> ready.append(' ').append(node.httpPort()).append('=')
          .append(Http.token("127.0.0.1:" + node.httpPort())));
      System.out.println(ready);
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      do {
        line = in.readLine();
        if (line != null && "stats".equals(line.trim())) {
          System.out.println(STATS + measure(db).format());
          System.out.flush();
        }
      } while (line != null && !"stop".equals(line.trim()));
    }
    System.exit(0);
  }

  /** In the child: see {@link Stats}. */
  private static Stats measure(TestDatabase db) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    memory.gc();
    MemoryUsage heap = memory.getHeapMemoryUsage();
    int threads = ManagementFactory.getThreadMXBean().getThreadCount();
    // Sessions other than this one; "busy": not idle (PostgreSQL: active or in a transaction; H2: running a statement).
    String connections = "postgres".equals(db.kind)
        ? "SELECT count(*), count(*) FILTER (WHERE state <> 'idle') FROM pg_stat_activity"
          + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        : "SELECT count(*), count(*) FILTER (WHERE EXECUTING_STATEMENT IS NOT NULL)"
          + " FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID <> SESSION_ID()";
    try (Connection c = DriverManager.getConnection(H2Durability.url(db.url), db.user, "");
         Statement s = c.createStatement()) {
      int open;
      int busy;
      try (ResultSet rs = s.executeQuery(connections)) {
        rs.next();
        open = rs.getInt(1);
        busy = rs.getInt(2);
      }
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM notification WHERE status IN ('queued', 'sending')")) {
        rs.next();
        return new Stats(heap.getUsed(), heap.getCommitted(), threads, open, busy, rs.getLong(1));
      }
    } catch (SQLException e) {
      System.err.println("stats: the database could not be read: " + e.getMessage());
      return new Stats(heap.getUsed(), heap.getCommitted(), threads, -1, -1, -1);
    }
  }
}
