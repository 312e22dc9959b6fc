package io.muster.bench;

import io.muster.it.TestNodes;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Memory of one node over many incidents: does the heap after a full GC grow with the incidents a
 * node has handled, and how much heap do active incidents hold?
 *
 * <p>The node runs in a child JVM ({@link NodeProcess}, H2, the embedded default) with a one-person
 * playbook (a page that asks for an acknowledgement, so each active incident holds a durable timer)
 * and its Twilio account pointed at an SMS simulator in this JVM, pacing off. Phase 1 triggers
 * {@code bench.incidents} drill incidents as fast as the node answers, with {@code bench.inFlight}
 * requests in flight over {@code bench.connections} connections, and resolves the oldest whenever
 * more than {@code bench.maxActive} are active. Every {@code bench.every} incidents it stops, lets
 * the pages and all-clears reach the simulator, and prints the child's heap used after a forced
 * full GC, its committed heap, RSS and threads; at the end the growth per 10,000 incidents (a
 * least-squares fit over the checkpoints after the first, which includes the warm-up, and the last
 * minus the first). Phase 2 resolves everything, measures the idle node, then holds
 * {@code bench.hold} incidents active and measures again: the difference is the heap those active
 * incidents need. {@code bench.receipts=true} (the default) has the simulator send "sent" and
 * "delivered" callbacks for every message, as Twilio does. With {@code bench.histogram=true} (the default) it also prints the classes whose
 * live bytes grew most ({@code jcmd GC.class_histogram} on the child), which names what holds the
 * memory when something does.
 *
 * <p>Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.MemoryBenchmark},
 * with {@code -Dbench.incidents=100000 -Dbench.every=10000 -Dbench.maxActive=100 -Dbench.hold=10000
 * -Dbench.inFlight=32 -Dbench.connections=8 -Dbench.receipts=true -Dbench.histogram=true
 * -Dbench.nodeJvmArgs="-Xms512m -Xmx512m -XX:+AlwaysPreTouch"} (the defaults shown).
 */
public final class MemoryBenchmark {
  private static final long MB = 1024 * 1024;
  private static final Duration QUIET = Duration.ofSeconds(2);
  private static final Duration SETTLE_LIMIT = Duration.ofSeconds(120);

  /** The options, from system properties. */
  record Options(int incidents, int every, int maxActive, int hold, int inFlight, int connections, boolean receipts,
                 boolean histogram, List<String> nodeJvmArgs) {
    Options {
      if (incidents < 1 || every < 1 || maxActive < 1 || hold < 0 || inFlight < 1 || connections < 1) {
        throw new IllegalArgumentException("bench.incidents, every, maxActive, inFlight, connections: at least 1;"
            + " bench.hold: 0 or more");
      }
    }

    static Options fromSystemProperties() {
      return new Options(Integer.getInteger("bench.incidents", 100_000), Integer.getInteger("bench.every", 10_000),
          Integer.getInteger("bench.maxActive", 100), Integer.getInteger("bench.hold", 10_000),
          Integer.getInteger("bench.inFlight", 32), Integer.getInteger("bench.connections", 8),
          Boolean.parseBoolean(System.getProperty("bench.receipts", "true")),
          Boolean.parseBoolean(System.getProperty("bench.histogram", "true")),
          // A fixed, pre-touched heap: RSS then moves only with what is not heap, as in the soak.
          Arrays.asList(System.getProperty("bench.nodeJvmArgs", "-Xms512m -Xmx512m -XX:+AlwaysPreTouch").trim()
              .split("\\s+")));
    }
  }

  /** One measurement of the child. */
  private record Point(long incidents, long heapAfterGc, long committed, long rss, int threads) { }

  /** What an HTTP call answered. */
  private record Answer(int status, String body) { }

  private final Options options;
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http;
  private final String simToken = "memory-" + UUID.randomUUID();
  private final SmsSimulator simulator;
  private final Semaphore permits;
  /** Active incidents by id, oldest first. */
  private final ConcurrentLinkedDeque<String> active = new ConcurrentLinkedDeque<>();
  private final AtomicInteger activeCount = new AtomicInteger();
  private final AtomicInteger triggered = new AtomicInteger();
  private final AtomicInteger resolved = new AtomicInteger();
  private final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
  private final List<Point> points = new ArrayList<>();
  /** Messages the simulator accepted before its last {@link SmsSimulator#clear}. */
  private long simulatorBefore;
  private NodeProcess node;
  private int port;
  private String token;

  private MemoryBenchmark(Options options) {
    this.options = options;
    this.permits = new Semaphore(options.inFlight());
    // "sent" and "delivered" callbacks 200 ms and 800 ms after each message, as the built-in simulator sends them.
    this.simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, TestNodes.ACCOUNT_SID, simToken,
        options.receipts() ? 200 : -1, options.receipts() ? 800 : -1));
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(options.connections()));
  }

  public static void main(String[] args) {
    try {
      System.exit(new MemoryBenchmark(Options.fromSystemProperties()).run());
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(2); // the client's threads would keep exec:java waiting
    }
  }

  private int run() throws Exception {
    Path dir = Files.createTempDirectory("muster-memory-");
    try {
      simulator.start(vertx).await();
      Path log = Path.of("target", "memory-bench-node.log").toAbsolutePath();
      Files.createDirectories(log.getParent());
      try (NodeProcess started = NodeProcess.start("h2", 1, files(dir), options.nodeJvmArgs(), log)) {
        node = started;
        port = node.ports().get(0);
        token = node.token(port);
        System.out.printf("Muster memory benchmark: one node (H2, process %d, %s, output in %s); %,d drill incidents,"
                + " one person paged each, at most %d active, %d requests in flight over %d connections; then %,d"
                + " held active%n", node.pid(), options.nodeJvmArgs(), log, options.incidents(), options.maxActive(),
            options.inFlight(), options.connections(), options.hold());
        long began = System.nanoTime();
        churn();
        hold();
        System.out.printf("%nDone in %.1f min.%n", (System.nanoTime() - began) / 60e9);
        // Before the node stops: the simulator's queued "sent"/"delivered" callbacks would meet a closing node.
        simulator.stop().await();
      }
      return errors.isEmpty() ? 0 : 1;
    } finally {
      vertx.close().await();
      BenchProcess.deleteTree(dir);
    }
  }

  /** The node's extra configuration: the one-person roster and playbook, the simulator in this JVM. */
  private JsonObject files(Path dir) throws IOException {
    Files.writeString(dir.resolve("roster.yaml"), """
        facilities:
          - {id: general, name: Benchmark Hospital, type: hospital}
        roles:
          - on-call
        staff:
          - {id: ann-lee, name: Ann Lee, phone: "+1 617 555 0201", facility: general, roles: [on-call]}
        """);
    Files.writeString(dir.resolve("readiness.yaml"), "reportingIntervalMinutes: 240\n");
    Path playbooks = Files.createDirectories(dir.resolve("playbooks"));
    Files.writeString(playbooks.resolve("page-one.yaml"), """
        id: page-one
        name: Page the person on call
        severity: high
        steps:
          - page:
              to: [on-call]
              say: "PAGE at {facility}: {summary}."
              ack: {required: true, every: 1h}
        stand-down:
          say: "ALL CLEAR at {facility}."
        """);
    return new JsonObject()
        .put("files", new JsonObject().put("roster", dir.resolve("roster.yaml").toString())
            .put("playbooks", playbooks.toString()).put("readiness", dir.resolve("readiness.yaml").toString()))
        .put("sms", new JsonObject().put("accountSid", TestNodes.ACCOUNT_SID).put("authToken", simToken)
            .put("apiBaseUrl", simulator.baseUrl()).put("messagesPerSecond", 0))
        .put("security", new JsonObject().put("tokenMinutes", 600));
  }

  // ---- phase 1: many incidents, at most maxActive active ----

  private void churn() throws Exception {
    System.out.println();
    System.out.println("Phase 1: every " + String.format("%,d", options.every()) + " incidents, once the node is quiet:"
        + " heap used after a forced full GC, committed heap, RSS, threads (and the rate since the last line)");
    Map<String, Long> firstHistogram = null;
    Point start = measure(0);
    print(start, 0, 0);
    long lastNanos = System.nanoTime();
    int lastCount = 0;
    for (int n = 0; n < options.incidents(); ) {
      int until = Math.min(options.incidents(), n + options.every());
      for (; n < until; n++) {
        permits.acquire();
        trigger(n, true);
      }
      quiet();
      double seconds = (System.nanoTime() - lastNanos) / 1e9;
      Point p = measure(n);
      points.add(p);
      print(p, seconds, (n - lastCount) / seconds);
      if (options.histogram() && firstHistogram == null) {
        firstHistogram = histogram();
      }
      lastNanos = System.nanoTime();
      lastCount = n;
    }
    growth();
    if (firstHistogram != null && points.size() > 1) {
      printGrowth("classes whose live bytes grew most from " + String.format("%,d", points.get(0).incidents())
          + " to " + String.format("%,d", points.get(points.size() - 1).incidents()) + " incidents",
          firstHistogram, histogram());
    }
  }

  /** Triggers one drill incident; when churning, resolves the oldest once more than maxActive are active. */
  private void trigger(int n, boolean churning) {
    String body = new JsonObject().put("type", "page-one").put("facilityId", "general")
        .put("summary", "Memory benchmark " + n).put("drill", true).encode();
    call(HttpMethod.POST, "/api/v1/incidents", body).onComplete(ar -> {
      if (ar.succeeded() && ar.result().status() == 201) {
        triggered.incrementAndGet();
        active.addLast(new JsonObject(ar.result().body()).getString("id"));
        activeCount.incrementAndGet();
      } else {
        error("trigger", ar);
      }
      if (churning && activeCount.get() > options.maxActive()) {
        resolveOldest();
      } else {
        permits.release();
      }
    });
  }

  /** Resolves the oldest active incident, then gives the permit back. */
  private void resolveOldest() {
    String id = active.pollFirst();
    if (id == null) {
      permits.release();
      return;
    }
    activeCount.decrementAndGet();
    resolve(id).onComplete(ar -> permits.release());
  }

  private Future<Answer> resolve(String id) {
    return call(HttpMethod.POST, "/api/v1/incidents/" + id + "/resolve", null).andThen(ar -> {
      if (ar.succeeded() && ar.result().status() == 200) {
        resolved.incrementAndGet();
      } else {
        error("resolve", ar);
      }
    });
  }

  private void growth() {
    if (points.size() < 2) {
      return;
    }
    List<Point> fitted = points.size() > 2 ? points.subList(1, points.size()) : points;
    Point first = points.get(0);
    Point last = points.get(points.size() - 1);
    double per10k = 10_000.0 / (last.incidents() - first.incidents());
    System.out.printf("Growth per 10,000 incidents: heap after GC %+.2f MB fitted over %,d..%,d incidents"
            + " (%+.2f MB from %,d to %,d: %.1f -> %.1f MB); RSS %+.2f MB fitted (%.0f -> %.0f MB)%n",
        slope(fitted, Point::heapAfterGc) * 10_000 / MB, fitted.get(0).incidents(), last.incidents(),
        (last.heapAfterGc() - first.heapAfterGc()) * per10k / MB, first.incidents(), last.incidents(),
        mb(first.heapAfterGc()), mb(last.heapAfterGc()), slope(fitted, Point::rss) * 10_000 / MB, mb(first.rss()),
        mb(last.rss()));
    System.out.printf("  %,d triggered, %,d resolved, %,d messages at the simulator; errors %s%n", triggered.get(),
        resolved.get(), simulatorBefore + simulator.createCount(), errors.isEmpty() ? "none" : new TreeMap<>(errors));
  }

  /** Least-squares slope of a figure against the incident count. */
  private static double slope(List<Point> points, java.util.function.ToLongFunction<Point> value) {
    double mx = points.stream().mapToDouble(Point::incidents).average().orElse(0);
    double my = points.stream().mapToDouble(value::applyAsLong).average().orElse(0);
    double num = points.stream().mapToDouble(p -> (p.incidents() - mx) * (value.applyAsLong(p) - my)).sum();
    double den = points.stream().mapToDouble(p -> (p.incidents() - mx) * (p.incidents() - mx)).sum();
    return den == 0 ? Double.NaN : num / den;
  }

  // ---- phase 2: heap per active incident ----

  private void hold() throws Exception {
    if (options.hold() == 0) {
      return;
    }
    System.out.println();
    System.out.printf("Phase 2: the node idle, then with %,d incidents active (unresolved), then with them resolved%n",
        options.hold());
    resolveAll();
    Point idle = measure(triggered.get());
    System.out.printf("  idle (0 active):       %s%n", describe(idle));
    Map<String, Long> idleHistogram = options.histogram() ? histogram() : null;
    for (int n = 0; n < options.hold(); n++) {
      permits.acquire();
      trigger(options.incidents() + n, false);
    }
    quiet();
    Point held = measure(triggered.get());
    System.out.printf("  %,d active:%s%s%n", activeCount.get(), " ".repeat(Math.max(1, 15 - String.format("%,d",
        activeCount.get()).length())), describe(held));
    Map<String, Long> heldHistogram = options.histogram() ? histogram() : null;
    resolveAll();
    Point after = measure(triggered.get());
    System.out.printf("  resolved again:        %s%n", describe(after));
    double per10k = (held.heapAfterGc() - idle.heapAfterGc()) * 10_000.0 / Math.max(1, options.hold()) / MB;
    System.out.printf("Heap per 10,000 active incidents: %.1f MB after GC (%.1f -> %.1f MB); %.1f KB each;"
            + " RSS %+.0f MB%n", per10k, mb(idle.heapAfterGc()), mb(held.heapAfterGc()), per10k * 1024 / 10_000,
        mb(held.rss() - idle.rss()));
    if (idleHistogram != null) {
      printGrowth("classes whose live bytes grew most with the incidents active", idleHistogram, heldHistogram);
    }
  }

  /** Resolves every active incident, then waits until the node is quiet. */
  private void resolveAll() throws InterruptedException {
    for (String id = active.pollFirst(); id != null; id = active.pollFirst()) {
      activeCount.decrementAndGet();
      permits.acquire();
      resolve(id).onComplete(ar -> permits.release());
    }
    quiet();
  }

  // ---- measuring ----

  /**
   * Waits for every request in flight, then until the simulator has had no new message for
   * {@link #QUIET} (the pages and all-clears of what was triggered and resolved have gone out).
   */
  private void quiet() throws InterruptedException {
    permits.acquire(options.inFlight());
    permits.release(options.inFlight());
    long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
    int last = -1;
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      int now = simulator.createCount();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since > QUIET.toNanos()) {
        break;
      }
      Thread.sleep(100);
    }
  }

  private Point measure(long incidents) throws InterruptedException {
    NodeProcess.Stats stats = node.stats(Duration.ofSeconds(120));
    Point p = new Point(incidents, stats.heapUsedAfterGc(), stats.heapCommitted(), node.rssBytes(), stats.threads());
    if (stats.outbox() > 0) {
      System.out.printf("  (outbox not empty at %,d incidents: %d)%n", incidents, stats.outbox());
    }
    // The simulator keeps every message: forget them, so that this JVM's heap stays small.
    simulatorBefore += simulator.createCount();
    simulator.clear();
    return p;
  }

  private void print(Point p, double seconds, double rate) {
    System.out.printf("  %,9d incidents: %s%s%n", p.incidents(), describe(p),
        seconds == 0 ? "" : String.format("  (%.0f s, %.0f/s)", seconds, rate));
  }

  private static String describe(Point p) {
    return String.format("heap after GC %6.1f MB, committed %4.0f MB, RSS %4.0f MB, %d threads", mb(p.heapAfterGc()),
        mb(p.committed()), mb(p.rss()), p.threads());
  }

  private static double mb(long bytes) {
    return bytes / (double) MB;
  }

  /** Live bytes by class in the child ({@code jcmd <pid> GC.class_histogram}, which collects first). */
  private Map<String, Long> histogram() throws IOException, InterruptedException {
    String jcmd = Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process p = new ProcessBuilder(jcmd, Long.toString(node.pid()), "GC.class_histogram").redirectErrorStream(true)
        .start();
    Map<String, Long> bytes = new HashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.trim().split("\\s+");
        if (f.length >= 4 && f[0].endsWith(":")) {
          bytes.put(f[3], Long.parseLong(f[2]));
        }
      }
    }
    p.waitFor(60, TimeUnit.SECONDS);
    return bytes;
  }

  private static void printGrowth(String title, Map<String, Long> before, Map<String, Long> after) {
    System.out.println("  " + title + " (jcmd GC.class_histogram, live bytes):");
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(12)
        .forEach(e -> System.out.printf("    %+9.2f MB  %s (%.2f MB now)%n", mb(e.getValue()), e.getKey(),
            mb(after.get(e.getKey()))));
  }

  // ---- HTTP ----

  private Future<Answer> call(HttpMethod method, String uri, String body) {
    RequestOptions request = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setIdleTimeout(60_000).putHeader("Authorization", "Bearer " + token);
    if (body != null) {
      request.putHeader("content-type", "application/json");
    }
    return http.request(request).compose(r -> body == null ? r.send() : r.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b.toString())));
  }

  private void error(String what, io.vertx.core.AsyncResult<Answer> ar) {
    String kind = what + " " + (ar.succeeded() ? "HTTP " + ar.result().status()
        : ar.cause().getClass().getSimpleName());
    if (errors.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet() == 1) {
      System.out.println("  first error of its kind: " + kind + (ar.succeeded() ? " " + ar.result().body()
          : ": " + ar.cause().getMessage()));
    }
  }
}
