package io.muster.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * The live stream's fan-out: 1,000 websocket clients on {@code /ws/live} (real Vert.x websocket
 * clients that offer permessage-deflate, as browsers do, spread over the load generator's event
 * loops) while readiness updates arrive through the real API at 50 a second for 30 s (after 5 s
 * of warm-up), on one node (H2) in a JVM of its own ({@link NodeProcess}). Measured at every client:
 * update sent → its event received (p50/p99/max), the fraction of (client, update) pairs delivered,
 * and order violations (an event whose sequence is not above the last one the client had). Also the
 * readiness PATCH's own latency, idle (the same rate, no websocket client) and during the fan-out.
 *
 * <p>In the same run the same clients and the same schedule against {@link BareBroadcast} (a plain
 * Vert.x websocket broadcast in a JVM of its own, messages of the same size), and the ratios.
 * A client the node closes for falling behind reconnects with {@code since}, as the dashboard does.
 *
 * <p>Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.LiveFanout}
 * (optional {@code -Dbench.clients=1000 -Dbench.rate=50 -Dbench.seconds=30 -Dbench.warmup=5
 * -Dbench.idleSeconds=10 -Dbench.scenarios=muster,bare -Dbench.bareInstances=1}, {@code -Dbench.nodeJvmArgs=...}
 * for the node's JVM).
 */
public final class LiveFanout {
  private static final Path DIR = Path.of("target/bench-live-fanout");
  private static final int FACILITIES = 100;
  /** The readiness field each update sets, to its update number: how a client knows which update an event is. */
  private static final String MARK = "\"supplies.ppe-days\":";

  private LiveFanout() {
  }

  /** What one run offers. */
  record Load(int clients, int rate, int warmupSeconds, int seconds, int idleSeconds) {
    int updates() {
      return rate * (warmupSeconds + seconds);
    }

    /** Updates before this number are warm-up: delivered and checked, not counted. */
    int firstMeasured() {
      return rate * warmupSeconds;
    }
  }

  /** What one scenario measured. */
  record Result(String name, int clients, int sent, int applied, Map<String, Integer> notApplied, long[] latencies,
                long delivered, long expected, long orderViolations, int closes, Map<String, Integer> closeReasons,
                long[] answers, long[] idleAnswers, int messageBytes, double serverCpu, double generatorCpu) { }

  public static void main(String[] args) {
    try {
      benchmark();
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1); // the clients' threads would keep exec:java waiting
    }
  }

  private static void benchmark() throws Exception {
    Load load = new Load(Integer.getInteger("bench.clients", 1000), Integer.getInteger("bench.rate", 50),
        Integer.getInteger("bench.warmup", 5), Integer.getInteger("bench.seconds", 30),
        Integer.getInteger("bench.idleSeconds", 10));
    List<String> scenarios = List.of(System.getProperty("bench.scenarios", "muster,bare").split(","));
    Files.createDirectories(DIR);
    Vertx vertx = Vertx.vertx();
    // The API's requests and answers on an event loop of their own: the websocket clients' loops are
    // busy, and an answer queued behind their messages would be counted against the server.
    Vertx api = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      Result muster = scenarios.contains("muster") ? muster(vertx, api, load) : null;
      if (muster != null) {
        print(muster);
      }
      int size = muster != null && muster.messageBytes() > 0 ? muster.messageBytes() : 230;
      Result bare = scenarios.contains("bare") ? bare(vertx, api, load, size) : null;
      System.out.println();
      System.out.printf("Live fan-out benchmark: %d websocket clients, %d updates/s for %d s after %d s of warm-up,"
          + " %d cores%n", load.clients(), load.rate(), load.seconds(), load.warmupSeconds(),
          Runtime.getRuntime().availableProcessors());
      for (Result r : Arrays.asList(muster, bare)) {
        if (r != null) {
          print(r);
        }
      }
      if (muster != null && bare != null && muster.latencies().length > 0 && bare.latencies().length > 0) {
        System.out.printf("  ratio Muster / bare broadcast: p50 %.2f, p99 %.2f%n",
            pct(muster.latencies(), 50) / pct(bare.latencies(), 50), pct(muster.latencies(), 99) / pct(bare.latencies(), 99));
      }
    } finally {
      vertx.close().await();
      api.close().await();
    }
  }

  // ---- Muster ----

  private static Result muster(Vertx vertx, Vertx api, Load load) throws Exception {
    Path log = DIR.resolve("node.log").toAbsolutePath();
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g"));
    String extra = System.getProperty("bench.nodeJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      jvmArgs.addAll(Arrays.asList(extra.split("\\s+")));
    }
    try (NodeProcess node = NodeProcess.start("h2", 1, config(load), jvmArgs, log)) {
      int port = node.ports().get(0);
      String token = node.token(port);
      System.out.printf("muster: one node (H2) on port %d in process %d (output in %s)%n", port, node.pid(), log);
      HttpClient http = httpClient(api);
      // The idle figure: the same updates at the same rate, nobody watching (update numbers above the
      // fan-out's, below the contract's maximum of 100,000 PPE days).
      int idleBase = 50_000;
      send(load.rate(), new Sent(load.rate() * load.warmupSeconds()), n -> patch(http, port, token, idleBase + n));
      Sent idle = send(load.rate(), new Sent(load.rate() * load.idleSeconds()),
          n -> patch(http, port, token, idleBase + 25_000 + n));
      if (idle.ok.get() == 0) {
        throw new IllegalStateException("no idle update was applied: " + idle.failures);
      }
      HttpClient tickets = httpClient(api); // a pool of its own: tickets never wait behind updates
      Clients clients = new Clients(vertx, load.updates(), load.firstMeasured(), true, (w, ws) -> ticket(tickets, port, token)
          .compose(ticket -> ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
              .setAllowOriginHeader(false).setTimeout(20_000).setConnectTimeout(20_000)
              .setURI("/ws/live?ticket=" + ticket + (w.lastSeq < 0 ? "" : "&since=" + w.lastSeq)))));
      try {
        clients.connect(load.clients());
        System.out.printf("muster: %d clients connected; sending%n", load.clients());
        Cpu cpu = new Cpu(node.pid());
        Sent sent = send(load.rate(), clients.track(new Sent(load.updates())), n -> patch(http, port, token, n));
        clients.drain(sent);
        return clients.result("Muster, one node (H2)", sent, idle.answers(0), cpu);
      } finally {
        clients.close();
        http.close().await();
        tickets.close().await();
      }
    }
  }

  private static JsonObject config(Load load) throws IOException {
    Path dir = Files.createDirectories(DIR);
    StringBuilder roster = new StringBuilder("facilities:\n");
    for (int i = 0; i < FACILITIES; i++) {
      roster.append(String.format("  - {id: h-%03d, name: Hospital %03d, type: hospital}%n", i, i));
    }
    roster.append("roles: [house-supervisor]\nstaff:\n");
    for (int i = 0; i < FACILITIES; i++) {
      roster.append(String.format("  - {id: sup-%03d, name: Supervisor %03d, phone: \"+1617557%04d\", facility: h-%03d,"
          + " roles: [house-supervisor]}%n", i, i, i, i));
    }
    Files.writeString(dir.resolve("roster.yaml"), roster);
    Path playbooks = Files.createDirectories(dir.resolve("playbooks"));
    Files.writeString(playbooks.resolve("drill.yaml"), """
        id: drill
        name: Drill
        severity: low
        steps:
          - page: {to: [house-supervisor], say: "Drill at {facility}."}
        stand-down: {say: "Drill over at {facility}."}
        """);
    // One signed-in user from one address opens every socket: the caps are raised to let them.
    int cap = load.clients() + 100;
    return new JsonObject()
        .put("files", new JsonObject().put("roster", dir.resolve("roster.yaml").toAbsolutePath().toString())
            .put("playbooks", playbooks.toAbsolutePath().toString())
            .put("readiness", Path.of("src/test/resources/it/readiness.yaml").toAbsolutePath().toString()))
        .put("limits", new JsonObject().put("liveConnectionsPerUser", cap).put("liveConnectionsPerAddress", cap));
  }

  private static Future<Integer> patch(HttpClient http, int port, String token, int n) {
    RequestOptions options = ReadinessBenchmark.patch(port, token, String.format("h-%03d", n % FACILITIES))
        .setConnectTimeout(30_000);
    return http.request(options)
        .compose(request -> request.send("{\"supplies\":{\"ppe-days\":" + n + "}}"))
        .compose(response -> response.body().map(body -> response.statusCode()));
  }

  private static Future<String> ticket(HttpClient http, int port, String token) {
    return http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/api/v1/auth/ws-ticket").putHeader("content-type", "application/json").setTimeout(20_000).setConnectTimeout(20_000)
            .putHeader("Authorization", "Bearer " + token))
        .compose(request -> request.send(""))
        .compose(response -> response.body().compose(body -> response.statusCode() == 200
            ? Future.succeededFuture(body.toJsonObject().getString("ticket"))
            : Future.failedFuture("no ticket: HTTP " + response.statusCode() + " " + body)));
  }

  // ---- the bare broadcast ----

  private static Result bare(Vertx vertx, Vertx api, Load load, int size) throws Exception {
    Path log = DIR.resolve("bare.log").toAbsolutePath();
    int instances = Integer.getInteger("bench.bareInstances", 1);
    List<String> command = List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
        "-cp", NodeProcess.classpath(), BareBroadcast.class.getName(), Integer.toString(instances));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      int port = readyPort(process, log);
      System.out.printf("bare: a plain Vert.x broadcast on port %d in process %d, messages of %d bytes%n", port,
          process.pid(), size);
      HttpClient http = httpClient(api);
      Clients clients = new Clients(vertx, load.updates(), load.firstMeasured(), false, (w, ws) -> ws.connect(
          new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws").setTimeout(20_000).setConnectTimeout(20_000)));
      try {
        clients.connect(load.clients());
        System.out.printf("bare: %d clients connected; sending%n", load.clients());
        Cpu cpu = new Cpu(process.pid());
        Sent sent = send(load.rate(), clients.track(new Sent(load.updates())),
            n -> http.request(HttpMethod.POST, port, "127.0.0.1", "/broadcast")
                .compose(request -> request.send(message(n, size)))
                .compose(response -> response.body().map(body -> response.statusCode())));
        clients.drain(sent);
        return clients.result("bare Vert.x broadcast, " + instances + " server instance(s)", sent, null, cpu);
      } finally {
        clients.close();
        http.close().await();
      }
    } finally {
      process.getOutputStream().close();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * A message shaped like a readiness event, padded to about {@code size} bytes, without its
   * sequence: the broadcast server puts {@code {"seq":N,} in front, N in the order it got them, as the
   * journal numbers updates in the order they commit.
   */
  static String message(int n, int size) {
    String head = "\"type\":\"readiness.updated\",\"incidentId\":null,\"facilityId\":\"h-"
        + String.format("%03d", n % FACILITIES) + "\",\"payload\":{\"changes\":{" + MARK + "\"" + n + "\"}},\"kind\":\"event\",\"pad\":\"";
    int seq = ("{\"seq\":" + (n + 1) + ",").length();
    return head + "x".repeat(Math.max(0, size - seq - head.length() - 2)) + "\"}";
  }

  private static int readyPort(Process process, Path log) throws Exception {
    CompletableFuture<Integer> ready = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
           Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.startsWith("READY ")) {
            ready.complete(Integer.valueOf(line.substring(6).trim()));
          }
          out.write(line + "\n");
          out.flush();
        }
      } catch (IOException e) {
        ready.completeExceptionally(e);
      }
      ready.completeExceptionally(new IllegalStateException("the broadcast process exited; see " + log));
    }, "bare-output");
    drain.setDaemon(true);
    drain.start();
    return ready.get(60, TimeUnit.SECONDS);
  }

  // ---- the load ----

  private static HttpClient httpClient(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000)
        .setIdleTimeout(60), new PoolOptions().setHttp1MaxSize(100));
  }

  /** What was sent: when each update went, when it was answered (0: not yet), and its status. */
  static final class Sent {
    final AtomicLongArray at;
    final AtomicLongArray answered;
    final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    final AtomicInteger pending = new AtomicInteger();
    final AtomicInteger ok = new AtomicInteger();

    Sent(int count) {
      at = new AtomicLongArray(count);
      answered = new AtomicLongArray(count);
    }

    boolean applied(int n) {
      return answered.get(n) > 0;
    }

    /** The answer latencies (ns) of the applied updates from {@code from} on. */
    long[] answers(int from) {
      List<Long> out = new ArrayList<>();
      for (int n = from; n < at.length(); n++) {
        if (answered.get(n) > 0) {
          out.add(answered.get(n) - at.get(n));
        }
      }
      return out.stream().mapToLong(Long::longValue).sorted().toArray();
    }
  }

  /**
   * Sends as many updates as {@code sent} has room for, at {@code rate} a second, from this thread
   * (each at its due time, whatever the answers do), then waits up to 60 s for the answers.
   */
  private static Sent send(int rate, Sent sent, IntFunction<Future<Integer>> update) throws InterruptedException {
    int count = sent.at.length();
    long start = System.nanoTime();
    for (int n = 0; n < count; n++) {
      long due = start + (long) (n * 1e9 / rate);
      for (long wait; (wait = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
      }
      int id = n;
      sent.pending.incrementAndGet();
      sent.at.set(n, System.nanoTime());
      update.apply(n).onComplete(ar -> {
        if (ar.succeeded() && ar.result() == 200) {
          sent.answered.set(id, System.nanoTime());
          sent.ok.incrementAndGet();
        } else {
          String why = ar.succeeded() ? "HTTP " + ar.result() : ar.cause().getClass().getSimpleName();
          sent.failures.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
        }
        sent.pending.decrementAndGet();
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (sent.pending.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return sent;
  }

  // ---- the clients ----

  /** One websocket client: what it received, when, and in which order. Touched on its event loop only, then read once at the end. */
  static final class Watcher {
    /** Per update number: receipt time minus send time (ns), 0 until received. */
    final long[] latency;
    long lastSeq = -1;
    long orderViolations;
    long received;
    WebSocket socket;

    Watcher(int updates) {
      this.latency = new long[updates];
    }
  }

  /** How a watcher (re)opens its socket: Muster's needs a ticket and says {@code since}. */
  interface Opener {
    /** Connects {@code ws}, whose handlers are set already, for {@code watcher}. */
    Future<WebSocket> open(Watcher watcher, ClientWebSocket ws);
  }

  static final class Clients {
    private final Vertx vertx;
    private final WebSocketClient client;
    private final int updates;
    private final int firstMeasured;
    private final Opener opener;
    /** Whether the server's first message is a snapshot (Muster's); else a client is ready once open. */
    private final boolean snapshotFirst;
    private final List<Watcher> watchers = new ArrayList<>();
    private final AtomicLong receipts = new AtomicLong();
    private final AtomicInteger snapshots = new AtomicInteger();
    private final AtomicInteger closes = new AtomicInteger();
    /** Opens that failed (refused, timed out) and were tried again. */
    private final AtomicInteger failedOpens = new AtomicInteger();
    private final Map<String, AtomicInteger> closeReasons = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private volatile Sent sent;
    private volatile boolean stopping;

    Clients(Vertx vertx, int updates, int firstMeasured, boolean snapshotFirst, Opener opener) {
      this.vertx = vertx;
      // Browsers offer permessage-deflate; so do these clients.
      this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(100_000)
          .setTryUsePerMessageCompression(true).setConnectTimeout(10_000).setMaxMessageSize(16 * 1024 * 1024));
      this.updates = updates;
      this.firstMeasured = firstMeasured;
      this.opener = opener;
      this.snapshotFirst = snapshotFirst;
    }

    /** The updates whose events the clients look for. */
    Sent track(Sent updates) {
      this.sent = updates;
      return updates;
    }

    /** Opens {@code count} sockets, 50 at a time, each from a fresh context (so spread over the event loops). */
    void connect(int count) throws Exception {
      for (int i = 0; i < count; i += 50) {
        List<Future<WebSocket>> batch = new ArrayList<>();
        for (int j = i; j < Math.min(count, i + 50); j++) {
          Watcher w = new Watcher(updates);
          watchers.add(w);
          batch.add(open(w, 5));
        }
        Future.all(batch).await();
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (snapshots.get() < count && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (snapshots.get() < count) {
        throw new IllegalStateException("only " + snapshots.get() + " of " + count + " clients are ready");
      }
    }

    private Future<WebSocket> open(Watcher w) {
      // The handlers first: the server's first message may come as soon as the handshake is done,
      // on the socket's event loop, before a callback on another thread could set them.
      ClientWebSocket ws = client.webSocket();
      ws.textMessageHandler(text -> receive(w, text));
      ws.closeHandler(v -> closed(w, ws));
      synchronized (w) {
        w.socket = ws;
      }
      Future<WebSocket> opened;
      try {
        opened = opener.open(w, ws);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      return opened.map(open -> {
        synchronized (w) {
          if (!snapshotFirst && w.lastSeq < 0) {
            w.lastSeq = 0;
            snapshots.incrementAndGet();
          }
        }
        return open;
      });
    }

    /** Opens, trying again up to {@code attempts} times in all. */
    private Future<WebSocket> open(Watcher w, int attempts) {
      return open(w).recover(t -> {
        failedOpens.incrementAndGet();
        System.out.println("an open failed (" + t + ")" + (attempts > 1 ? "; trying again" : ""));
        return attempts > 1 ? open(w, attempts - 1) : Future.failedFuture(t);
      });
    }

    private void closed(Watcher w, WebSocket ws) {
      synchronized (w) {
        if (stopping || w.socket != ws) {
          return;
        }
      }
      closes.incrementAndGet();
      String reason = ws.closeStatusCode() + " " + (ws.closeReason() == null ? "" : ws.closeReason().replaceAll("[0-9]+", "N"));
      closeReasons.computeIfAbsent(reason, k -> new AtomicInteger()).incrementAndGet();
      reopen(w);
    }

    /** As the dashboard does: at once, from the last sequence it has. */
    private void reopen(Watcher w) {
      if (!stopping) {
        open(w).onFailure(t -> {
          if (!stopping) {
            vertx.setTimer(100, id -> reopen(w));
          }
        });
      }
    }

    private void receive(Watcher w, String text) {
      long now = System.nanoTime();
      synchronized (w) {
        if (text.contains("\"kind\":\"snapshot\"")) {
          if (w.lastSeq < 0) {
            w.lastSeq = number(text, "\"seq\":", 0);
            snapshots.incrementAndGet();
          }
          return;
        }
        if (!text.contains("\"kind\":\"event\"")) {
          return;
        }
        long seq = number(text, "\"seq\":", 0);
        if (seq <= w.lastSeq) {
          w.orderViolations++;
          return;
        }
        w.lastSeq = seq;
        int mark = text.indexOf(MARK);
        if (mark < 0) {
          return;
        }
        long n = number(text, MARK, mark);
        Sent s = sent;
        if (s != null && n >= 0 && n < updates && w.latency[(int) n] == 0) {
          w.latency[(int) n] = Math.max(1, now - s.at.get((int) n));
          w.received++;
          receipts.incrementAndGet();
          size.compareAndSet(0, text.getBytes(StandardCharsets.UTF_8).length);
        }
      }
    }

    /** Waits until every client has every applied update, or nothing more arrived for 20 s (2 minutes at most). */
    void drain(Sent done) throws InterruptedException {
      long expected = 0;
      for (int n = 0; n < updates; n++) {
        expected += done.applied(n) ? watchers.size() : 0;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      long last = -1;
      long quietSince = System.nanoTime();
      while (receipts.get() < expected && System.nanoTime() < deadline
          && System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(20)) {
        Thread.sleep(100);
        if (receipts.get() != last) {
          last = receipts.get();
          quietSince = System.nanoTime();
        }
      }
    }

    Result result(String name, Sent done, long[] idle, Cpu cpu) {
      long expected = 0;
      long delivered = 0;
      long violations = 0;
      List<long[]> parts = new ArrayList<>();
      for (Watcher w : watchers) {
        synchronized (w) {
          long[] mine = new long[updates];
          int k = 0;
          for (int n = firstMeasured; n < updates; n++) {
            if (done.applied(n)) {
              expected++;
              if (w.latency[n] > 0) {
                delivered++;
                mine[k++] = w.latency[n];
              }
            }
          }
          violations += w.orderViolations;
          parts.add(Arrays.copyOf(mine, k));
        }
      }
      long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
      Map<String, Integer> reasons = new TreeMap<>();
      closeReasons.forEach((k, v) -> reasons.put(k, v.get()));
      if (failedOpens.get() > 0) {
        reasons.put("(opens that failed and were tried again)", failedOpens.get());
      }
      Map<String, Integer> failures = new TreeMap<>();
      done.failures.forEach((k, v) -> failures.put(k, v.get()));
      return new Result(name, watchers.size(), done.at.length(), done.ok.get(), failures, all, delivered, expected,
          violations, closes.get(), reasons, done.answers(firstMeasured),
          idle, size.get(), cpu.server(), cpu.generator());
    }

    void close() {
      stopping = true;
      for (Watcher w : watchers) {
        WebSocket ws;
        synchronized (w) {
          ws = w.socket;
        }
        if (ws != null) {
          ws.close();
        }
      }
      client.close().await();
    }
  }

  /**
   * CPU time (user + system, from {@code /proc/<pid>/stat}, Linux) the server process and this JVM
   * spent since it was made: with other work on the machine, time per message says more than latency.
   */
  static final class Cpu {
    private final long server;
    private final double serverAtStart;
    private final double generatorAtStart;

    Cpu(long server) {
      this.server = server;
      this.serverAtStart = seconds(server);
      this.generatorAtStart = seconds(ProcessHandle.current().pid());
    }

    double server() {
      return seconds(server) - serverAtStart;
    }

    double generator() {
      return seconds(ProcessHandle.current().pid()) - generatorAtStart;
    }

    private static double seconds(long pid) {
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // clock ticks of 10 ms
      } catch (IOException | RuntimeException e) {
        return Double.NaN;
      }
    }
  }

  /** The non-negative integer after {@code key} (skipping a quote), or -1. */
  static long number(String text, String key, int from) {
    int i = text.indexOf(key, from);
    if (i < 0) {
      return -1;
    }
    i += key.length();
    if (i < text.length() && text.charAt(i) == '"') {
      i++;
    }
    long v = 0;
    int start = i;
    while (i < text.length() && Character.isDigit(text.charAt(i))) {
      v = v * 10 + (text.charAt(i++) - '0');
    }
    return i == start ? -1 : v;
  }

  // ---- the report ----

  private static void print(Result r) {
    System.out.printf("  %s: %d clients, %d updates sent, %d applied%s%n", r.name(), r.clients(), r.sent(), r.applied(),
        r.notApplied().isEmpty() ? "" : ", not applied: " + r.notApplied());
    if (r.latencies().length == 0) {
      System.out.println("    no update reached a client");
    } else {
      System.out.printf("    update -> event at each client: p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          pct(r.latencies(), 50), pct(r.latencies(), 99), r.latencies()[r.latencies().length - 1] / 1e6);
    }
    System.out.printf("    delivered %d of %d (%.3f%%), order violations %d, closed by the server %d %s%n",
        r.delivered(), r.expected(), r.expected() == 0 ? 0.0 : 100.0 * r.delivered() / r.expected(),
        r.orderViolations(), r.closes(), r.closeReasons().isEmpty() ? "" : r.closeReasons().toString());
    long messages = (long) r.clients() * r.applied();
    System.out.printf("    CPU while sending and draining: server %.1f s (%.1f us per message sent to a client, warm-up"
        + " included), load generator %.1f s%n", r.serverCpu(), messages == 0 ? Double.NaN : r.serverCpu() * 1e6 / messages,
        r.generatorCpu());
    if (r.idleAnswers() != null && r.idleAnswers().length > 0 && r.answers().length > 0) {
      System.out.printf("    readiness PATCH answered: idle p50 %.1f ms p99 %.1f ms; during the fan-out p50 %.1f ms"
              + " p99 %.1f ms (p99 ratio %.2f)%n", pct(r.idleAnswers(), 50), pct(r.idleAnswers(), 99),
          pct(r.answers(), 50), pct(r.answers(), 99), pct(r.answers(), 99) / pct(r.idleAnswers(), 99));
    } else if (r.answers().length > 0) {
      System.out.printf("    broadcast request answered: p50 %.1f ms p99 %.1f ms%n", pct(r.answers(), 50),
          pct(r.answers(), 99));
    }
  }

  /** The p-th percentile of sorted nanoseconds, in milliseconds. */
  private static double pct(long[] sorted, int p) {
    int index = Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1));
    return sorted[index] / 1e6;
  }
}
