package io.muster.it;

import static io.muster.it.PipelineIT.MCI;
import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.muster.app.Muster;
import io.muster.sim.SimMessage;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A network partition between two clustered nodes on PostgreSQL. Each node reaches the other's
 * Hazelcast and event bus only through a {@link TcpProxy} the test controls (the nodes advertise the
 * proxies' ports as their public ones); the database and the SMS provider stay reachable from both,
 * as they would when the link between two server rooms fails. The proxies are cut for longer than
 * Hazelcast's failure detection, incidents are triggered on both sides, a timer comes due, a reply
 * crosses over; then the link comes back and the cluster must form again.
 */
@Timeout(300)   // about 60 s on an idle machine; starting two clustered nodes takes most of it, and far longer under load
class PartitionIT {
  private static final String PLAYBOOKS = "src/test/resources/it/playbooks-partition";
  private static final String DRILL = "{\"type\":\"partition-drill\",\"facilityId\":\"general\",\"summary\":\"Link down\"}";
  /** Whom a drill pages: the incident commanders, then, unanswered, the ED physician. */
  private static final List<String> DRILL_PHONES = List.of("+16175550101", "+16175550102", "+16175550104");
  private static final Duration SPLIT = Duration.ofSeconds(30);
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static final String WATCH = "io.muster.app.ClusterWatch";

  private TestNodes nodes;
  private final List<TcpProxy> proxies = new ArrayList<>();
  private final Captured logs = new Captured();

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(WATCH)).detachAppender(logs);
    if (nodes != null) {
      nodes.close();
    }
    proxies.forEach(TcpProxy::close);
  }

  @Test
  @DisplayName("two nodes cut apart keep paging: incidents triggered on each side are paged exactly once, a timer fires"
      + " once, a reply and every receipt are recorded, each coordinator sees the other side's events; after the link"
      + " heals the cluster forms again and both nodes serve every incident")
  void partitionAndHeal() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(WATCH)).addAppender(logs);
    nodes = TestNodes.on("postgres");
    String name = "muster-partition-" + UUID.randomUUID();
    Wire wireA = wire();
    Wire wireB = wire();
    JsonArray members = new JsonArray().add(wireA.member()).add(wireB.member());
    Muster a = nodes.start(node("node-a", name, wireA, members));
    Muster b = nodes.start(node("node-b", name, wireB, members));
    String baseA = TestNodes.baseUrl(a);
    String baseB = TestNodes.baseUrl(b);

    // The cluster forms through the proxies, and the event bus crosses them both ways.
    eventually(WAIT, () -> memberCount(a) == 2 && memberCount(b) == 2);
    String probe = "it.partition.probe." + UUID.randomUUID();
    probeConsumer(a, probe + ".node-a");
    probeConsumer(b, probe + ".node-b");
    eventually(WAIT, () -> probeReaches(a, b, probe) && probeReaches(b, a, probe));

    try (LiveClient onA = LiveClient.connect(a.httpPort(), null);
         LiveClient onB = LiveClient.connect(b.httpPort(), null)) {
      long started = System.nanoTime();
      logs.events.clear();
      proxies.forEach(TcpProxy::cut);
      eventually(SPLIT, () -> memberCount(a) == 1 && memberCount(b) == 1);
      // The operator is told, on each side, that the other is gone.
      eventually(WAIT, () -> logs.has(Level.WARN, wireA.address() + " left or cannot be reached; members now: 1.")
          && logs.has(Level.WARN, wireB.address() + " left or cannot be reached; members now: 1."));
      long detected = System.nanoTime();
      assertThat(probeReaches(a, b, probe)).as("a bus message from A reached B across the cut").isFalse();
      assertThat(probeReaches(b, a, probe)).as("a bus message from B reached A across the cut").isFalse();
      // Both halves stay ready: a load balancer keeps sending to each, and each can serve.
      assertThat(Http.get(baseA + "/health/ready").status()).isEqualTo(200);
      assertThat(Http.get(baseB + "/health/ready").status()).isEqualTo(200);

      // Split: each side takes incidents, pages them, and fires its timer.
      JsonObject mciA = trigger(baseA, MCI);
      JsonObject drillA = trigger(baseA, DRILL);
      eventually(WAIT, () -> MCI_PHONES.stream().allMatch(p -> pages(p, mciA) == 1));
      JsonObject reply = PipelineIT.reply(baseB, nodes.simulator, "+16175550103", "1");
      assertThat(reply.getInteger("webhookStatus")).isEqualTo(200);
      JsonObject mciB = trigger(baseB, MCI);
      JsonObject drillB = trigger(baseB, DRILL);
      List<JsonObject> incidents = List.of(mciA, drillA, mciB, drillB);

      eventually(WAIT, () -> MCI_PHONES.stream().allMatch(p -> pages(p, mciB) == 1));
      for (JsonObject drill : List.of(drillA, drillB)) {
        eventually(WAIT, () -> DRILL_PHONES.stream().allMatch(p -> pages(p, drill) == 1));
        onA.first(id(drill), "page.escalated", e -> true, WAIT);
        onB.first(id(drill), "page.escalated", e -> true, WAIT);
      }
      // Each coordinator sees what the other side did, through the journal, while the bus is cut.
      for (JsonObject incident : incidents) {
        onA.first(id(incident), "incident.triggered", e -> true, WAIT);
        onB.first(id(incident), "incident.triggered", e -> true, WAIT);
      }
      JsonObject ackOnA = onA.first(id(mciA), "notification.acknowledged", e -> true, WAIT);
      assertThat(ackOnA.getJsonObject("payload").getString("staffId")).isEqualTo("priya-raman");
      // A's incident resolved at B sends one all-clear; resolving it again at A is refused.
      assertThat(Http.post(baseB + "/api/v1/incidents/" + id(mciA) + "/resolve", null, "").status()).isEqualTo(200);
      assertThat(Http.post(baseA + "/api/v1/incidents/" + id(mciA) + "/resolve", null, "").status()).isEqualTo(409);
      eventually(WAIT, () -> MCI_PHONES.stream().allMatch(p -> allClears(p) == 1));
      onA.first(id(mciA), "incident.resolved", e -> true, WAIT);
      assertThat(memberCount(a)).as("still split while the incidents were handled").isEqualTo(1);
      assertThat(memberCount(b)).isEqualTo(1);
      long healing = System.nanoTime();

      // Heal: the halves merge into one cluster again and the bus crosses once more, while
      // incidents keep coming in at both nodes.
      List<JsonObject> duringHeal;
      try (Trickle trickle = new Trickle(List.of(baseA, baseB))) {
        proxies.forEach(TcpProxy::restore);
        eventually(Duration.ofSeconds(45), () -> memberCount(a) == 2 && memberCount(b) == 2);
        eventually(WAIT, () -> probeReaches(a, b, probe) && probeReaches(b, a, probe));
        duringHeal = trickle.stop();
      }
      eventually(WAIT, () -> logs.has(Level.INFO, wireA.address() + " joined; members now: 2")
          && logs.has(Level.INFO, wireB.address() + " joined; members now: 2"));
      long healed = System.nanoTime();
      JsonObject after = trigger(baseB, MCI);
      onA.first(id(after), "incident.triggered", e -> true, WAIT);
      List<JsonObject> all = new ArrayList<>(List.of(mciA, drillA, mciB, drillB, after));
      all.addAll(duringHeal);

      assertEveryIncidentOnBothNodes(List.of(baseA, baseB), all, mciA);
      long messages = assertExactCountsAtTheProvider(all);
      assertCoordinatorsSawTheSameStream(onA, onB, messages);
      System.out.printf("partition: detected in %d ms, split for %d ms, healed in %d ms%n",
          (detected - started) / 1_000_000, (healing - started) / 1_000_000, (healed - healing) / 1_000_000);
    }
  }

  /** Every incident on both nodes, every message delivered and its receipt recorded; the reply and the resolve too. */
  private static void assertEveryIncidentOnBothNodes(List<String> bases, List<JsonObject> all, JsonObject resolved) {
    for (String base : bases) {
      eventually(WAIT, () -> all.stream().allMatch(i -> {
        List<String> statuses = PipelineIT.statuses(base, id(i));
        int sent = isDrill(i) ? 3 : i == resolved ? 8 : 4;   // the resolved one's all-clears too
        return statuses.size() == sent && statuses.stream().allMatch("delivered"::equals);
      }));
      JsonObject mci = Http.get(base + "/api/v1/incidents/" + id(resolved)).json();
      assertThat(mci.getJsonArray("acks")).hasSize(1);
      assertThat(mci.getString("status")).isEqualTo("resolved");
    }
  }

  /** Nobody missing, nobody paged twice, no one else paged; returns how many messages went out. */
  private long assertExactCountsAtTheProvider(List<JsonObject> all) {
    Map<String, Long> expected = new TreeMap<>();
    for (JsonObject incident : all) {
      List<String> phones = isDrill(incident) ? DRILL_PHONES : List.copyOf(MCI_PHONES);
      for (String phone : phones) {
        assertThat(pages(phone, incident)).as("pages to %s for %s", phone, incident.getString("ref")).isEqualTo(1);
        expected.merge(phone, 1L, Long::sum);
      }
    }
    MCI_PHONES.forEach(phone -> expected.merge(phone, 1L, Long::sum));   // the resolved incident's all-clear
    Map<String, Long> perPhone = new TreeMap<>(nodes.simulator.allMessages().stream().filter(SimMessage::outbound)
        .collect(Collectors.groupingBy(SimMessage::to, Collectors.counting())));
    assertThat(perPhone).isEqualTo(expected);
    return expected.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Both coordinators, connected throughout, saw the same events in the same order, a delivery for
   * every message among them, and no receipt recorded twice or moving a message backwards.
   */
  private static void assertCoordinatorsSawTheSameStream(LiveClient onA, LiveClient onB, long messages) {
    eventually(WAIT, () -> seqs(onA).equals(seqs(onB)) && delivered(onA) == messages);
    PipelineIT.assertSeqStrictlyIncreasing(onA.events());
    Map<String, List<String>> receipts = onA.events().stream()
        .filter(e -> "notification.status".equals(e.getString("type"))).map(e -> e.getJsonObject("payload"))
        .collect(Collectors.groupingBy(p -> p.getString("notificationId"),
            Collectors.mapping(p -> p.getString("status"), Collectors.toList())));
    assertThat(receipts).hasSize((int) messages).allSatisfy((notification, statuses) -> {
      assertThat(statuses).as("receipts of %s", notification).doesNotHaveDuplicates();
      assertThat(statuses.get(statuses.size() - 1)).as("last receipt of %s", notification).isEqualTo("delivered");
    });
  }

  /** A node's listening ports and the proxies in front of them. */
  private record Wire(int hazelcast, int eventBus, TcpProxy hazelcastProxy, TcpProxy eventBusProxy) {
    String member() {
      return "127.0.0.1:" + hazelcastProxy.port();
    }

    /** The node's Hazelcast address as the other nodes (and the logs) know it: the proxy's. */
    String address() {
      return "[127.0.0.1]:" + hazelcastProxy.port();
    }
  }

  private Wire wire() {
    int hazelcast = TestNodes.freePort();
    int eventBus = TestNodes.freePort();
    TcpProxy hz = TcpProxy.start("127.0.0.1", hazelcast);
    TcpProxy bus = TcpProxy.start("127.0.0.1", eventBus);
    proxies.add(hz);
    proxies.add(bus);
    return new Wire(hazelcast, eventBus, hz, bus);
  }

  private static JsonObject node(String nodeId, String clusterName, Wire wire, JsonArray members) {
    JsonObject cluster = new JsonObject().put("enabled", true).put("name", clusterName).put("host", "127.0.0.1")
        .put("port", wire.hazelcast()).put("publicPort", wire.hazelcastProxy().port()).put("members", members)
        .put("heartbeatTimeoutSeconds", 5).put("mergeAfterSeconds", 5)
        .mergeIn(TestNodes.tls(nodeId))
        .put("eventBusPort", wire.eventBus()).put("eventBusPublicPort", wire.eventBusProxy().port());
    return new JsonObject().put("nodeId", nodeId).put("cluster", cluster)
        .put("files", new JsonObject().put("playbooks", PLAYBOOKS));
  }

  private static int memberCount(Muster node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static void probeConsumer(Muster node, String address) {
    MessageConsumer<String> consumer = node.vertx().eventBus().<String>consumer(address)
        .handler(m -> m.reply(node.config().nodeId()));
    consumer.completion().await();
  }

  /** Whether a request from {@code from} over the event bus is answered by {@code to}'s consumer. */
  private static boolean probeReaches(Muster from, Muster to, String address) {
    try {
      Object answer = from.vertx().eventBus().request(address + "." + to.config().nodeId(), "ping", new DeliveryOptions().setSendTimeout(1500)
          .setLocalOnly(false)).await().body();
      return to.config().nodeId().equals(answer);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static JsonObject trigger(String base, String body) {
    Http.Response r = Http.postJson(base + "/api/v1/incidents", body);
    assertThat(r.status()).as("trigger at %s: %s", base, r.body()).isEqualTo(201);
    return r.json();
  }

  private long pages(String phone, JsonObject incident) {
    String ref = "[" + incident.getString("ref") + "]";
    return nodes.simulator.messagesTo(phone).stream()
        .filter(m -> m.body().contains(ref) && !m.body().contains("ALL CLEAR")).count();
  }

  private long allClears(String phone) {
    return nodes.simulator.messagesTo(phone).stream().filter(m -> m.body().contains("ALL CLEAR")).count();
  }

  private static final class Captured extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }

    boolean has(Level level, String text) {
      return events.stream().anyMatch(e -> e.getLevel() == level && e.getFormattedMessage().contains(text));
    }
  }

  /**
   * Triggers an incident every half second, at each node in turn, until stopped: mass-casualty
   * incidents and drills (whose escalation timers come due while the cluster heals).
   */
  private static final class Trickle implements AutoCloseable {
    private final List<JsonObject> triggered = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    Trickle(List<String> bases) {
      thread = new Thread(() -> {
        for (int i = 0; running; i++) {
          String base = bases.get(i % bases.size());
          try {
            Http.Response r = Http.postJson(base + "/api/v1/incidents", (i / 2) % 2 == 0 ? MCI : DRILL);
            if (r.status() == 201) {
              triggered.add(r.json());
            } else {
              failures.add(base + ": " + r.status() + " " + r.body());
            }
          } catch (RuntimeException e) {
            failures.add(base + ": " + e);
          }
          PipelineIT.holdFor(500);   // the trickle's pace, not a wait
        }
      }, "partition-trickle");
      thread.start();
    }

    /** Stops; every incident it triggered was answered 201. */
    List<JsonObject> stop() {
      close();
      assertThat(failures).as("incidents not answered 201 while the cluster healed").isEmpty();
      return List.copyOf(triggered);
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String id(JsonObject incident) {
    return incident.getString("id");
  }

  private static boolean isDrill(JsonObject incident) {
    return "partition-drill".equals(incident.getString("type"));
  }

  private static List<Long> seqs(LiveClient client) {
    return client.events().stream().map(e -> e.getLong("seq")).toList();
  }

  /** How many notifications the stream says were delivered. */
  private static long delivered(LiveClient client) {
    return client.events().stream().filter(e -> "notification.status".equals(e.getString("type")))
        .map(e -> e.getJsonObject("payload")).filter(p -> "delivered".equals(p.getString("status")))
        .map(p -> p.getString("notificationId")).distinct().count();
  }

}
