package io.muster.bench;

import io.muster.app.Muster;
import io.muster.it.Http;
import io.muster.notify.OutboundSms;
import io.muster.notify.twilio.TwilioSettings;
import io.muster.notify.twilio.TwilioSmsGateway;
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
 * SMS throughput through the real Twilio SDK into the simulator:
 * <ul>
 *   <li>the simulator's raw acceptance rate, measured first in the same run with a plain HTTP client;</li>
 *   <li>a 10,000-recipient rollcall on one node (H2) with pacing off: messages per second into the
 *       simulator, and that rate as a share of the raw acceptance rate; then, warm, the same rollcall
 *       again on the same node and the raw rate again after it (the JVM compiles the code it runs
 *       while the first ones run); each with the JVM's CPU time per message;</li>
 *   <li>a rollcall across three clustered nodes (PostgreSQL) sharing a budget of 50 messages per
 *       second: the achieved rate as a share of the budget, and the worst one-second window.</li>
 * </ul>
 * Delivery callbacks are off, for the plain client and for Muster alike, so both measure sending.
 * Every run also checks that each person got exactly one SMS.
 * Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.SmsBenchmark}
 * (optional {@code -Dbench.recipients=10000 -Dbench.paced=1500 -Dbench.mps=50}, {@code -Dbench.only=unpaced} or
 * {@code paced} for one of the two rollcalls).
 */
public final class SmsBenchmark {
  private static final int RAW = 5000;

  private SmsBenchmark() {
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    int recipients = Integer.getInteger("bench.recipients", 10_000);
    int paced = Integer.getInteger("bench.paced", 1500);
    int mps = Integer.getInteger("bench.mps", 50);
    String only = System.getProperty("bench.only", "");
    List<String> lines = new ArrayList<>();
    if (!only.equals("paced")) {
      try (TestDatabase db = TestDatabase.h2(); TestNodes nodes = new TestNodes(db, -1, -1)) {
        double[] raw = rawRate(nodes, RAW);
        Muster node = nodes.start(files(roster(recipients), playbook(recipients))
            .put("sms", new JsonObject().put("messagesPerSecond", 0)));
        double[] cold = measured(() -> callout(nodes, node, recipients)[0], recipients);
        nodes.simulator.clear();
        double[] warm = measured(() -> callout(nodes, node, recipients)[0], recipients);
        nodes.stop(node);
        double[] rawWarm = rawRate(nodes, RAW);
        lines.add(String.format("simulator raw acceptance (plain HTTP client, 8 threads), first: %.0f messages/s"
            + " (%.2f ms CPU each)", raw[0], raw[1]));
        lines.add(String.format("%d-recipient rollcall, one node, H2, pacing off:          %.0f messages/s = %.2fx"
            + " raw (%.2f ms CPU each, the trigger's included)", recipients, cold[0], cold[0] / raw[0], cold[1]));
        lines.add(String.format("warm (the same again, on the same node; the raw rate measured after it): rollcall"
            + " %.0f, raw %.0f messages/s = %.2fx raw (%.2f and %.2f ms CPU each)", warm[0], rawWarm[0],
            warm[0] / rawWarm[0], warm[1], rawWarm[1]));
      }
    }
    if (!only.equals("unpaced")) {
      try (TestDatabase db = TestDatabase.postgres(); TestNodes nodes = new TestNodes(db, -1, -1)) {
        List<Muster> cluster = nodes.startCluster(3, files(roster(paced), playbook(paced))
            .put("sms", new JsonObject().put("messagesPerSecond", mps)));
        warmProvider(nodes);
        double[] figures = callout(nodes, cluster.get(0), paced);
        lines.add(String.format("%d-recipient rollcall, three nodes, PostgreSQL, %d MPS:    achieved %.2f messages/s"
            + " = %.3fx the budget, worst one-second window %d", paced, mps, figures[0], figures[0] / mps,
            (int) figures[1]));
      }
    }
    System.out.println();
    System.out.println("Muster SMS benchmark: real Twilio SDK into the simulator, no delivery callbacks;"
        + " CPU: this JVM's, all threads, per message");
    lines.forEach(line -> System.out.println("  " + line));
    System.exit(0);
  }

  @FunctionalInterface
  private interface Run {
    double rate() throws Exception;
  }

  /** {rate, milliseconds of this JVM's CPU time per message}. */
  private static double[] measured(Run run, int messages) throws Exception {
    long cpu = cpuNanos();
    double rate = run.rate();
    return new double[] {rate, (cpuNanos() - cpu) / 1e6 / messages};
  }

  /**
   * The simulator, started in this JVM a moment ago, is slowed at first by class loading and
   * compilation, which bunches its receipt times: warm its create path with the SDK, then forget
   * those messages (as PacingIT does).
   */
  private static void warmProvider(TestNodes nodes) {
    try (TwilioSmsGateway gateway = new TwilioSmsGateway(new TwilioSettings(TestNodes.ACCOUNT_SID,
        TestNodes.AUTH_TOKEN, "+15005550006", nodes.simulator.baseUrl()))) {
      for (int i = 0; i < 200; i++) {
        gateway.send(new OutboundSms("+16175559999", "warm-up " + i, null));
      }
    }
    nodes.simulator.clear();
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
    while (!nodes.outboxDrained()) {   // nothing queued or being sent: a second SMS would be here by now
      Thread.sleep(100);
    }
    List<SimMessage> sent = outbound(nodes);
    long people = sent.stream().map(SimMessage::to).distinct().count();
    if (people != count || sent.size() != count) {
      throw new IllegalStateException(sent.size() + " messages to " + people + " people; expected one each to " + count);
    }
    long[] times = sent.stream().mapToLong(SimMessage::receivedNanos).sorted().toArray();
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

  /** {rate, CPU milliseconds per message} of {@link #rawCreate}. */
  private static double[] rawRate(TestNodes nodes, int count) throws Exception {
    return measured(() -> rawCreate(nodes, count), count);
  }

  /** Creates {@code count} messages straight at the simulator with a plain HTTP client. */
  private static double rawCreate(TestNodes nodes, int count) throws Exception {
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
    Path file = Path.of("target/bench-roster-" + people + ".yaml");
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
