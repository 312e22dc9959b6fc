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
    int total = facilities * rate * seconds;
    try (LiveClient live = LiveClient.connect(watched.httpPort(), null)) {
      Thread reader = new Thread(() -> {
        while (latencies.size() < total && !Thread.currentThread().isInterrupted()) {
          try {
            JsonObject e = live.next(Duration.ofSeconds(30));
            if ("readiness.updated".equals(e.getString("type"))) {
              Object n = e.getJsonObject("payload").getJsonObject("changes").getValue("supplies.ppe-days");
              Long start = n == null ? null : sentAt.remove(Integer.parseInt(n.toString()));
              if (start != null) {
                latencies.add(System.nanoTime() - start);
              }
            }
          } catch (AssertionError timeout) {
            return;
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
          http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenAccept(r -> {
            if (r.statusCode() != 200) {
              refused.incrementAndGet();
            }
          });
        }
      }, 0, 10, TimeUnit.MILLISECONDS);
      ticker.awaitTermination(seconds + 2, TimeUnit.SECONDS);
      ticker.shutdownNow();
      reader.join(60_000);
      reader.interrupt();
    }
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return "no update came back";
    }
    return String.format("%d of %d updates seen (%d refused), p50=%.1f ms p99=%.1f ms max=%.1f ms", sorted.size(), total,
        refused.get(), ms(sorted, 50), ms(sorted, 99), sorted.get(sorted.size() - 1) / 1e6);
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
