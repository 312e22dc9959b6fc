package io.muster.bench;

import io.muster.it.Http;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readiness updates at regional scale: 100 facilities each sending 10 updates a second for 60 s
 * (PATCH over real HTTP), and the latency from sending an update to its event on a websocket
 * client: on one node (H2), and on two clustered nodes (PostgreSQL) with the client on the other.
 * The nodes run in a child JVM ({@link NodeProcess}), so the figures are Muster's, not the load
 * generator's. Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.ReadinessBenchmark}
 * (optional {@code -Dbench.seconds=60 -Dbench.facilities=100 -Dbench.rate=10 -Dbench.scenarios=h2,postgres},
 * {@code -Dbench.nodeJvmArgs="-XX:StartFlightRecording=filename=target/node.jfr"} to profile the nodes).
 */
public final class ReadinessBenchmark {
  private static final Path DIR = Path.of("target/bench-readiness");

  private ReadinessBenchmark() {
  }

  /** What one run offered and what came of it. */
  private record Load(int facilities, int rate, int seconds) {
    int total() {
      return facilities * rate * seconds;
    }
  }

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
    Load load = new Load(Integer.getInteger("bench.facilities", 100), Integer.getInteger("bench.rate", 10),
        Integer.getInteger("bench.seconds", 60));
    List<String> scenarios = List.of(System.getProperty("bench.scenarios", "h2,postgres").split(","));
    List<String> jvmArgs = new ArrayList<>(List.of("-Xmx2g"));
    String extra = System.getProperty("bench.nodeJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      jvmArgs.addAll(Arrays.asList(extra.split("\\s+")));
    }
    JsonObject files = files(load.facilities());
    Map<String, String> results = new java.util.LinkedHashMap<>();
    if (scenarios.contains("h2")) {
      results.put("one node, H2:                                 ", scenario("h2", 1, files, jvmArgs, load));
    }
    if (scenarios.contains("postgres")) {
      results.put("two nodes, PostgreSQL, websocket on the other: ", scenario("postgres", 2, files, jvmArgs, load));
    }
    System.out.println();
    System.out.printf("Muster readiness benchmark: %d facilities x %d updates/s for %d s (nodes in a separate JVM)%n",
        load.facilities(), load.rate(), load.seconds());
    results.forEach((name, result) -> System.out.println("  " + name + result));
  }

  private static String scenario(String kind, int count, JsonObject files, List<String> jvmArgs, Load load)
      throws Exception {
    Path log = DIR.resolve("nodes-" + kind + ".log").toAbsolutePath();
    try (NodeProcess nodes = NodeProcess.start(kind, count, files, jvmArgs, log)) {
      System.out.printf("%s: %d node(s) on ports %s in process %d (output in %s)%n", kind, count, nodes.ports(),
          nodes.pid(), log);
      for (int port : nodes.ports()) {
        Http.authorize("127.0.0.1:" + port, nodes.token(port)); // for the websocket's tickets
      }
      int target = nodes.ports().get(0);
      return run(target, nodes.token(target), nodes.ports().get(count - 1), load);
    }
  }

  /** Every update the benchmark sends is built here: the one place for the headers the API requires. */
  static RequestOptions patch(int port, String token, String facility) {
    return new RequestOptions().setMethod(HttpMethod.PATCH).setHost("127.0.0.1").setPort(port)
        .setURI("/api/v1/facilities/" + facility + "/readiness")
        .putHeader("content-type", "application/json")
        .putHeader("Authorization", "Bearer " + token)
        .setIdleTimeout(30_000);
  }

  private static String run(int targetPort, String token, int watchedPort, Load load) throws Exception {
    // A kept-alive connection per facility at most, as 100 facilities' own systems would send;
    // what they cannot send at once waits for a connection, and its latency counts from when it
    // was due. (Opening a connection per request in flight makes the client, not Muster, the limit.)
    Vertx vertx = Vertx.vertx();
    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000),
        new PoolOptions().setHttp1MaxSize(load.facilities()));
    Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    List<long[]> latencies = Collections.synchronizedList(new ArrayList<>());
    Map<String, AtomicInteger> notApplied = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    AtomicInteger applied = new AtomicInteger();
    AtomicBoolean sending = new AtomicBoolean(true);
    int total = load.total();
    long started = System.nanoTime();
    // The hub closes a client that cannot keep up; like the dashboard, the stream then resumes
    // with the last sequence it saw, so every update is counted once.
    LiveStream live = LiveStream.open(vertx, watchedPort);
    Thread reader = new Thread(() -> {
      long idleSince = System.nanoTime();
      while (!Thread.currentThread().isInterrupted()
          && (sending.get() || answered.get() < sent.get() || latencies.size() < applied.get())) {
        JsonObject e;
        try {
          e = live.next(Duration.ofSeconds(1));
        } catch (InterruptedException stop) {
          return;
        }
        if (e == null) {
          if (System.nanoTime() - idleSince > Duration.ofSeconds(20).toNanos()) {
            return;
          }
          continue;
        }
        idleSince = System.nanoTime();
        if ("readiness.updated".equals(e.getString("type"))) {
          Object n = e.getJsonObject("payload").getJsonObject("changes").getValue("supplies.ppe-days");
          Long start = n == null ? null : sentAt.remove(Integer.parseInt(n.toString()));
          if (start != null) {
            latencies.add(new long[] {start - started, System.nanoTime() - start});
          }
        }
      }
    }, "websocket-reader");
    reader.start();
    // The updates are sent from the client's event loop, every 10 ms, as a facility's system would.
    CompletableFuture<Void> allSent = new CompletableFuture<>();
    int perTick = Math.max(1, load.facilities() * load.rate() / 100);
    vertx.setPeriodic(10, timer -> {
      for (int i = 0; i < perTick; i++) {
        int n = next.getAndIncrement();
        if (n >= total) {
          vertx.cancelTimer(timer);
          allSent.complete(null);
          return;
        }
        sentAt.put(n, System.nanoTime());
        sent.incrementAndGet();
        http.request(patch(targetPort, token, String.format("h-%03d", n % load.facilities())))
            .compose(request -> request.send("{\"supplies\":{\"ppe-days\":" + n + "}}"))
            .compose(response -> response.body().map(body -> response.statusCode()))
            .onComplete(ar -> {
              if (ar.succeeded() && ar.result() == 200) {
                applied.incrementAndGet();
              } else {
                sentAt.remove(n);
                String why = ar.succeeded() ? "HTTP " + ar.result() : ar.cause().getClass().getSimpleName()
                    + (ar.cause().getMessage() == null ? "" : ": " + ar.cause().getMessage());
                notApplied.computeIfAbsent(why, k -> new AtomicInteger()).incrementAndGet();
              }
              answered.incrementAndGet();
            });
      }
    });
    allSent.get(load.seconds() + 60L, TimeUnit.SECONDS);
    double offered = sent.get() / ((System.nanoTime() - started) / 1e9);
    long deadline = System.nanoTime() + Duration.ofSeconds(45).toNanos();
    while (answered.get() < sent.get() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    sending.set(false);
    reader.join(120_000);
    reader.interrupt();
    live.close();
    vertx.close().await();
    return report(load, sent.get(), offered, applied.get(), notApplied, new ArrayList<>(latencies), live.resumes());
  }

  private static String report(Load load, int sent, double offered, int applied, Map<String, AtomicInteger> notApplied,
                               List<long[]> latencies, int reconnects) {
    Map<String, Integer> why = new TreeMap<>();
    notApplied.forEach((k, v) -> why.put(k, v.get()));
    int unanswered = sent - applied - why.values().stream().mapToInt(Integer::intValue).sum();
    if (unanswered > 0) {
      why.put("no answer within 45 s", unanswered);
    }
    String summary = String.format("sent %d (%.0f/s offered of %d/s), %d applied, %d not applied %s, %d seen on the"
            + " websocket (%d resumes)", sent, offered, load.facilities() * load.rate(), applied, sent - applied, why,
        latencies.size(), reconnects);
    if (latencies.isEmpty()) {
      return summary + ", no update came back";
    }
    List<Long> sorted = latencies.stream().map(l -> l[1]).sorted().toList();
    // p99 by 10 s of sending: how it starts (a cold JVM) and whether it keeps up
    StringBuilder windows = new StringBuilder();
    for (int w = 0; w * 10 < load.seconds(); w++) {
      long from = w * 10_000_000_000L;
      List<Long> in = latencies.stream().filter(l -> l[0] >= from && l[0] < from + 10_000_000_000L).map(l -> l[1])
          .sorted().toList();
      windows.append(w == 0 ? "" : "/").append(in.isEmpty() ? "-" : String.format("%.0f", ms(in, 99)));
    }
    List<Long> warm = latencies.stream().filter(l -> l[0] >= 10_000_000_000L).map(l -> l[1]).sorted().toList();
    return summary + String.format(", p50=%.1f ms p99=%.1f ms max=%.1f ms (p99 by 10 s: %s ms; after the first 10 s:"
        + " p50=%.1f ms p99=%.1f ms)", ms(sorted, 50), ms(sorted, 99), sorted.get(sorted.size() - 1) / 1e6, windows,
        warm.isEmpty() ? Double.NaN : ms(warm, 50), warm.isEmpty() ? Double.NaN : ms(warm, 99));
  }

  private static double ms(List<Long> sorted, int p) {
    int index = Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    return sorted.get(index) / 1e6;
  }

  private static JsonObject files(int facilities) throws Exception {
    StringBuilder roster = new StringBuilder("facilities:\n");
    for (int i = 0; i < facilities; i++) {
      roster.append(String.format("  - {id: h-%03d, name: Hospital %03d, type: hospital}%n", i, i));
    }
    roster.append("roles: [house-supervisor]\nstaff:\n");
    for (int i = 0; i < facilities; i++) {
      roster.append(String.format("  - {id: sup-%03d, name: Supervisor %03d, phone: \"+1617557%04d\", facility: h-%03d,"
          + " roles: [house-supervisor]}%n", i, i, i, i));
    }
    Path dir = Files.createDirectories(DIR);
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
    return new JsonObject().put("files", new JsonObject().put("roster", dir.resolve("roster.yaml").toAbsolutePath().toString())
        .put("playbooks", playbooks.toAbsolutePath().toString())
        .put("readiness", Path.of("src/test/resources/it/readiness.yaml").toAbsolutePath().toString()));
  }
}
