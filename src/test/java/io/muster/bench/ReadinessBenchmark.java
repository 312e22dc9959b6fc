package io.muster.bench;

import io.muster.app.Muster;
import io.muster.it.LiveClient;
import io.muster.it.TestDatabase;
import io.muster.it.TestNodes;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Readiness updates at regional scale: 100 facilities each sending 10 updates a second for 60 s
 * (PATCH over real HTTP), and the latency from sending an update to its event on a websocket
 * client: on one node (H2), and on two clustered nodes (PostgreSQL) with the client on the other.
 * Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.ReadinessBenchmark}
 * (optional {@code -Dbench.seconds=60 -Dbench.facilities=100 -Dbench.rate=10}).
 */
public final class ReadinessBenchmark {
  private ReadinessBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int seconds = Integer.getInteger("bench.seconds", 60);
    int facilities = Integer.getInteger("bench.facilities", 100);
    int rate = Integer.getInteger("bench.rate", 10);
    JsonObject files = files(facilities);
    String one;
    String two;
    try (TestDatabase db = TestDatabase.h2(); TestNodes nodes = new TestNodes(db, -1, -1)) {
      Muster node = nodes.start(files);
      one = run(node, node, facilities, rate, seconds);
    }
    try (TestDatabase db = TestDatabase.postgres(); TestNodes nodes = new TestNodes(db, -1, -1)) {
      List<Muster> cluster = nodes.startCluster(2, files);
      two = run(cluster.get(0), cluster.get(1), facilities, rate, seconds);
    }
    System.out.println();
    System.out.printf("Muster readiness benchmark: %d facilities x %d updates/s for %d s%n", facilities, rate, seconds);
    System.out.println("  one node, H2:                                 " + one);
    System.out.println("  two nodes, PostgreSQL, websocket on the other: " + two);
    System.exit(0);
  }

  private static String run(Muster target, Muster watched, int facilities, int rate, int seconds) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    long started = System.nanoTime();
    double[] offeredRate = {0};
    int total = facilities * rate * seconds;
    // The hub closes a client that cannot keep up; like the dashboard, the reader then resumes
    // with the last sequence it saw, so every update is counted once.
    long[] lastSeq = {-1};
    LiveClient first = LiveClient.connect(watched.httpPort(), null);
    lastSeq[0] = first.snapshot.getLong("seq");
    LiveClient[] live = {first};
    AtomicInteger reconnects = new AtomicInteger();
    {
      Thread reader = new Thread(() -> {
        long idleSince = System.nanoTime();
        while (latencies.size() < total && !Thread.currentThread().isInterrupted()) {
          JsonObject e;
          try {
            e = live[0].next(Duration.ofSeconds(2));
          } catch (AssertionError quiet) {
            if (System.nanoTime() - idleSince > Duration.ofSeconds(20).toNanos()) {
              return;
            }
            live[0].close();
            live[0] = LiveClient.connect(watched.httpPort(), lastSeq[0]);
            reconnects.incrementAndGet();
            continue;
          }
          idleSince = System.nanoTime();
          if (!"event".equals(e.getString("kind"))) {
            continue;
          }
          lastSeq[0] = e.getLong("seq");
          if ("readiness.updated".equals(e.getString("type"))) {
            Object n = e.getJsonObject("payload").getJsonObject("changes").getValue("supplies.ppe-days");
            Long start = n == null ? null : sentAt.remove(Integer.parseInt(n.toString()));
            if (start != null) {
              latencies.add(System.nanoTime() - start);
            }
          }
        }
      });
      reader.start();
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      int perTick = facilities * rate / 100;
      String base = "http://127.0.0.1:" + target.httpPort() + "/api/v1/facilities/";
      ticker.scheduleAtFixedRate(() -> {
        for (int i = 0; i < perTick; i++) {
          int n = next.getAndIncrement();
          if (n >= total) {
            return;
          }
          String facility = String.format("h-%03d", n % facilities);
          HttpRequest request = HttpRequest.newBuilder(URI.create(base + facility + "/readiness"))
              .header("content-type", "application/json")
              .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"supplies\":{\"ppe-days\":" + n + "}}")).build();
          sentAt.put(n, System.nanoTime());
          sent.incrementAndGet();
          http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((r, failure) -> {
            if (failure != null || r.statusCode() != 200) {
              refused.incrementAndGet();
            }
          });
        }
      }, 0, 10, TimeUnit.MILLISECONDS);
      ticker.awaitTermination(seconds, TimeUnit.SECONDS);
      ticker.shutdownNow();
      offeredRate[0] = sent.get() / ((System.nanoTime() - started) / 1e9);
      reader.join(120_000);
      reader.interrupt();
      live[0].close();
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return "no update came back";
    }
    return String.format("sent %d (%.0f/s offered of %d/s), %d seen on the websocket (%d refused or failed, %d resumes),"
        + " p50=%.1f ms p99=%.1f ms max=%.1f ms", sent.get(), offeredRate[0], facilities * rate, sorted.size(),
        refused.get(), reconnects.get(), ms(sorted, 50), ms(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
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
    Path dir = Files.createDirectories(Path.of("target/bench-readiness"));
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
    return new JsonObject().put("files", new JsonObject().put("roster", dir.resolve("roster.yaml").toString())
        .put("playbooks", playbooks.toString()).put("readiness", "src/test/resources/it/readiness.yaml"));
  }
}
