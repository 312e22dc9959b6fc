package io.muster.bench;

import io.muster.app.Muster;
import io.muster.it.Http;
import io.muster.it.LiveClient;
import io.muster.it.TestDatabase;
import io.muster.it.TestNodes;
import io.muster.sim.SmsSimulator;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency of the core pipeline on one node with H2, measured end to end through real HTTP, the
 * real Twilio SDK, the simulator and a real websocket client:
 * <ul>
 *   <li>trigger → the first SMS request of that incident received by the simulator;</li>
 *   <li>inbound ack (the simulator posts the signed webhook) → the acknowledged event on the websocket.</li>
 * </ul>
 * Run: {@code mvn -B -q -Pbench test-compile exec:java} (optional: {@code -Dbench.incidents=1000}).
 */
public final class PipelineBenchmark {
  private static final Pattern REF = Pattern.compile("\\[([A-Z0-9]{5})]");

  private PipelineBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int incidents = Integer.getInteger("bench.incidents", 1000);
    int warmup = Math.min(100, incidents / 10);
    try (TestDatabase db = TestDatabase.h2(); TestNodes nodes = new TestNodes(db)) {
      Muster node = nodes.start();
      String base = TestNodes.baseUrl(node);
      Map<String, Long> firstSms = new ConcurrentHashMap<>();
      nodes.simulator.onMessage(m -> {
        Matcher ref = REF.matcher(m.body());
        if (ref.find()) {
          firstSms.putIfAbsent(ref.group(1), m.receivedNanos());
        }
      });
      List<Long> triggerToSms = triggers(base, warmup + incidents, firstSms);
      List<Long> ackToWs = acks(node, nodes.simulator, base, warmup + incidents);
      System.out.println();
      System.out.println("Muster pipeline benchmark: one node, H2, " + incidents + " incidents (after " + warmup
          + " warm-up), 4 pages each");
      report("trigger -> first SMS at the simulator", triggerToSms.subList(warmup, triggerToSms.size()));
      report("inbound ack -> websocket event", ackToWs.subList(warmup, ackToWs.size()));
      System.exit(0);
    }
  }

  private static List<Long> triggers(String base, int count, Map<String, Long> firstSms) throws InterruptedException {
    String body = "{\"type\":\"mass-casualty\",\"facilityId\":\"general\",\"summary\":\"Benchmark drill\",\"drill\":true}";
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      Http.Response r = Http.postJson(base + "/api/v1/incidents", body);
      if (r.status() != 201) {
        throw new IllegalStateException("trigger failed: " + r.status() + " " + r.body());
      }
      String ref = r.json().getString("ref");
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!firstSms.containsKey(ref)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no SMS for incident " + ref);
        }
        Thread.sleep(1);   // the figure is the simulator's own receipt time: polling adds nothing to it
      }
      latencies.add(firstSms.get(ref) - start);
    }
    return latencies;
  }

  private static List<Long> acks(Muster node, SmsSimulator simulator, String base, int count) {
    List<Long> latencies = new ArrayList<>();
    simulator.setInboundWebhookUrl(base + "/webhooks/twilio/sms");
    String simulatorBase = simulator.baseUrl();
    String request = new JsonObject().put("body", "1").encode();
    try (LiveClient live = LiveClient.connect(node.httpPort(), null)) {
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        Http.Response r = Http.postJson(simulatorBase + "/sim/api/phones/%2B16175550103/reply", request);
        if (r.status() != 200 || r.json().getInteger("webhookStatus") != 200) {
          throw new IllegalStateException("reply failed: " + r.body());
        }
        live.awaitType("notification.acknowledged", Duration.ofSeconds(10));
        latencies.add(System.nanoTime() - start);
      }
    }
    return latencies;
  }

  private static void report(String what, List<Long> nanos) {
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    System.out.printf("  %-40s n=%d  p50=%.1f ms  p99=%.1f ms  max=%.1f ms%n", what, sorted.size(),
        ms(percentile(sorted, 50)), ms(percentile(sorted, 99)), ms(sorted.get(sorted.size() - 1)));
  }

  private static long percentile(List<Long> sorted, int p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }
}
