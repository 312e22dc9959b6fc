package io.muster.bench;

import io.muster.app.Muster;
import io.muster.it.Http;
import io.muster.it.TestDatabase;
import io.muster.it.TestNodes;
import io.muster.sim.SimMessage;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * SMS throughput on one node with H2, through the real Twilio SDK into the simulator:
 * <ul>
 *   <li>the simulator's raw acceptance rate, measured in the same run with a plain HTTP client;</li>
 *   <li>a 10,000-recipient rollcall with pacing off: messages per second into the simulator;</li>
 *   <li>a rollcall at 50 messages per second: the achieved rate and the worst one-second window.</li>
 * </ul>
 * Delivery callbacks are off, for the plain client and for Muster alike, so both measure sending.
 * Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.SmsBenchmark}
 * (optional {@code -Dbench.recipients=10000 -Dbench.paced=1500}).
 */
public final class SmsBenchmark {
  private SmsBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int recipients = Integer.getInteger("bench.recipients", 10_000);
    int paced = Integer.getInteger("bench.paced", 1500);
    Path roster = roster(recipients);
    Path playbooks = playbook(recipients);
    double raw;
    double unpaced;
    double[] pacedFigures;
    try (TestDatabase db = TestDatabase.h2(); TestNodes nodes = new TestNodes(db, -1, -1)) {
      raw = rawRate(nodes, 5000);
      Muster node = nodes.start(files(roster, playbooks).put("sms", new JsonObject().put("messagesPerSecond", 0)));
      unpaced = callout(nodes, node, recipients)[0];
    }
    try (TestDatabase db = TestDatabase.h2(); TestNodes nodes = new TestNodes(db, -1, -1)) {
      Path small = playbook(paced);
      Muster node = nodes.start(files(roster, small).put("sms", new JsonObject().put("messagesPerSecond", 50)));
      pacedFigures = callout(nodes, node, paced);
    }
    System.out.println();
    System.out.println("Muster SMS benchmark: one node, H2, real Twilio SDK into the simulator, no delivery callbacks");
    System.out.printf("  simulator raw acceptance (plain HTTP client, 8 threads): %.0f messages/s%n", raw);
    System.out.printf("  %d-recipient rollcall, pacing off:                    %.0f messages/s%n", recipients, unpaced);
    System.out.printf("  %d-recipient rollcall at 50 MPS: achieved %.1f messages/s, worst one-second window %d%n",
        paced, pacedFigures[0], (int) pacedFigures[1]);
    System.exit(0);
  }

  /** Triggers the call-out and waits for every message; returns {rate, worst one-second window}. */
  private static double[] callout(TestNodes nodes, Muster node, int count) throws InterruptedException {
    Http.Response r = Http.postJson(TestNodes.baseUrl(node) + "/api/v1/incidents",
        "{\"type\":\"callout\",\"facilityId\":\"general\",\"summary\":\"Benchmark call-out\",\"drill\":true}");
    if (r.status() != 201) {
      throw new IllegalStateException("trigger failed: " + r.body());
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    while (outbound(nodes).size() < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + outbound(nodes).size() + " of " + count + " sent");
      }
      Thread.sleep(100);
    }
    long[] times = outbound(nodes).stream().mapToLong(SimMessage::receivedNanos).sorted().toArray();
    double seconds = (times[times.length - 1] - times[0]) / 1e9;
    int worst = 0;
    for (int start = 0, end = 0; end < times.length; end++) {
      while (times[end] - times[start] >= 1_000_000_000L) {
        start++;
      }
      worst = Math.max(worst, end - start + 1);
    }
    return new double[] {(times.length - 1) / seconds, worst};
  }

  private static List<SimMessage> outbound(TestNodes nodes) {
    return nodes.simulator.allMessages().stream().filter(SimMessage::outbound).toList();
  }

  /** Creates {@code count} messages straight at the simulator with a plain HTTP client. */
  private static double rawRate(TestNodes nodes, int count) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String auth = "Basic " + Base64.getEncoder().encodeToString(
        (TestNodes.ACCOUNT_SID + ":" + TestNodes.AUTH_TOKEN).getBytes(StandardCharsets.UTF_8));
    URI uri = URI.create(nodes.simulator.baseUrl() + "/2010-04-01/Accounts/" + TestNodes.ACCOUNT_SID + "/Messages.json");
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    long start = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      workers.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
          String form = "To=" + URLEncoder.encode("+1617556" + String.format("%04d", i % 10000), StandardCharsets.UTF_8)
              + "&From=%2B15005550006&Body=raw+" + i;
          HttpResponse<Void> res = client.send(HttpRequest.newBuilder(uri).header("Authorization", auth)
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.discarding());
          if (res.statusCode() != 201) {
            throw new IllegalStateException("simulator answered " + res.statusCode());
          }
        }
        return null;
      }));
    }
    for (Future<?> w : workers) {
      w.get();
    }
    double rate = count / ((System.nanoTime() - start) / 1e9);
    pool.shutdown();
    nodes.simulator.clear();
    return rate;
  }

  private static JsonObject files(Path roster, Path playbooks) {
    return new JsonObject().put("files", new JsonObject().put("roster", roster.toString())
        .put("playbooks", playbooks.toString()));
  }

  private static Path roster(int people) throws Exception {
    StringBuilder yaml = new StringBuilder("facilities:\n  - {id: general, name: Muster General Hospital, type: hospital}\n"
        + "roles: [rn-pool]\nstaff:\n");
    for (int i = 0; i < people; i++) {
      yaml.append("  - {id: rn-").append(i).append(", name: Nurse ").append(i).append(", phone: \"+1617555")
          .append(String.format("%04d", i)).append("\", facility: general, roles: [rn-pool]}\n");
    }
    Path file = Path.of("target/bench-roster.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static Path playbook(int need) throws Exception {
    Path dir = Files.createDirectories(Path.of("target/bench-playbooks-" + need));
    Files.writeString(dir.resolve("callout.yaml"), """
        id: callout
        name: Staff call-out
        severity: high
        steps:
          - id: pool
            rollcall:
              to: [rn-pool]
              ask: "Call-out at {facility}: can you come in?"
              answers:
                1: {say: "Yes, within 30 min", eta: 30m}
                2: {say: "No"}
              need: %d
        stand-down:
          say: "ALL CLEAR: the call-out at {facility} has ended."
        """.formatted(need));
    return dir;
  }
}
