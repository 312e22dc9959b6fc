package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.sim.SimMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The fault suite: three Muster nodes, each a JVM of its own, clustered on PostgreSQL, reaching the
 * database through a TCP proxy this test controls and sending through one shared SMS simulator. Each
 * scenario runs a call-out to 200 people, does something bad to the cluster in the middle of it
 * (kill -9, SIGSTOP, the database gone, the provider down) and then counts at the simulator, per
 * person: everyone gets exactly one SMS, nobody none and nobody two; the incident answered 201 is
 * there on every live node; every notification ends {@code delivered} (its receipt recorded, or
 * reconciled with the provider when it went to a node that died).
 *
 * <p>The nodes and the database are shared by the scenarios (each counts only its own incident's
 * messages, by its reference): a scenario that killed nodes leaves them dead, and the next one
 * starts replacements first. The send budget is paced (50 per second across the cluster) so that a
 * call-out lasts a few seconds and a fault lands in the middle of it on a machine of any speed;
 * leases are 2 s and polls 250 ms so that take-overs are quick.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class FaultClusterIT {
  private static final int NODES = 3;
  private static final int LEASE_SECONDS = 2;
  private static final String ROSTER = "src/test/resources/fault/roster.yaml";
  private static final String PLAYBOOKS = "src/test/resources/fault/playbooks";
  private static final Duration FINISH = Duration.ofSeconds(120);
  private static final Pattern PHONE = Pattern.compile("phone: \"(\\+[0-9]+)\"");

  private TestDatabase db;
  private TestNodes simulator;
  private TcpProxy proxy;
  private Set<String> people;
  private final String clusterName = "muster-fault-" + UUID.randomUUID();
  private final List<ChildNode> nodes = new ArrayList<>();
  private final Map<ChildNode, String> nodeIds = new LinkedHashMap<>();
  private final AtomicInteger launched = new AtomicInteger();

  @BeforeAll
  void startCluster() throws IOException {
    people = phones();
    db = TestDatabase.postgres();
    simulator = new TestNodes(db);
    proxy = TcpProxy.start("127.0.0.1", 5432);
    ensureNodes();
  }

  @BeforeEach
  void threeNodes() throws IOException {
    ensureNodes();
  }

  /** A scenario that failed half-way must not leave the next one a frozen node, a cut database or a sick provider. */
  @AfterEach
  void healFaults() {
    proxy.restore();
    simulator.simulator.faults().reset();
    for (ChildNode node : List.copyOf(nodes)) {
      if (!node.alive() || node.isPaused()) {
        node.kill();
        nodes.remove(node);
      }
    }
  }

  @AfterAll
  void stopCluster() {
    for (ChildNode node : nodes) {
      node.kill();
    }
    if (proxy != null) {
      proxy.close();
    }
    if (simulator != null) {
      simulator.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  @Order(1)
  @DisplayName("the provider fails every send mid-call-out, then recovers: pages flow again within a probe interval,"
      + " everyone gets one SMS")
  void providerOutageAndRecovery() {
    Callout callout = trigger(nodes.get(0), "provider outage");
    awaitSent(callout, 40);
    simulator.simulator.faults().outage(503);
    int acceptedAtOutage = simulator.simulator.createCount();
    // The outage is felt: the nodes' sends are refused, their breakers open, coordinators see SMS degraded.
    eventually(FINISH, () -> smsDegraded(nodes.get(0)));
    int refusedBefore = simulator.simulator.createAttempts() - simulator.simulator.createCount();
    eventually(FINISH, () -> simulator.simulator.createAttempts() - simulator.simulator.createCount() > refusedBefore);
    assertThat(simulator.simulator.createCount()).as("nothing is accepted during the outage").isEqualTo(acceptedAtOutage);

    long recoveredAt = System.nanoTime();
    simulator.simulator.faults().endOutage();
    eventually(FINISH, () -> simulator.simulator.createCount() > acceptedAtOutage);
    long firstAfter = simulator.simulator.allMessages().stream().mapToLong(SimMessage::receivedNanos)
        .filter(t -> t >= recoveredAt).min().orElseThrow();
    double seconds = (firstAfter - recoveredAt) / 1e9;
    System.out.printf("FaultClusterIT: first page %.2f s after the provider recovered%n", seconds);
    // One probe interval is 5 s (sms.breakerOpenSeconds); the bound is generous for a loaded machine.
    assertThat(seconds).as("seconds from the recovery to the first accepted page").isLessThan(20);

    assertEveryoneOnce(callout);
    eventually(FINISH, () -> !smsDegraded(nodes.get(0)));
  }

  @Test
  @Order(2)
  @DisplayName("the database connections are cut mid-call-out and refused for a while: sign-in answers 503, and"
      + " after the database is back everyone gets one SMS")
  void databaseConnectionLoss() {
    Callout callout = trigger(nodes.get(1), "database loss");
    awaitSent(callout, 60);
    long cutAt = System.nanoTime();
    proxy.cut();
    Http.Response login = Http.postJson(nodes.get(2).base() + "/api/v1/auth/login", new JsonObject()
        .put("username", TestNodes.ADMIN_USER).put("password", TestNodes.ADMIN_PASSWORD).encode());
    assertThat(login.status()).as("sign-in while the database is unreachable: %s", login.body()).isEqualTo(503);
    // The outage lasts several leases, so that rows claimed before it expire during it.
    eventually(FINISH, () -> System.nanoTime() - cutAt > Duration.ofSeconds(3L * LEASE_SECONDS).toNanos());
    proxy.restore();
    assertEveryoneOnce(callout);
  }

  @Test
  @Order(3)
  @DisplayName("the node holding claims is frozen (SIGSTOP) until its leases are long gone and the others have"
      + " finished; when it wakes it sends nothing again")
  void pausedSenderWakesAfterItsLeasesExpired() {
    Callout callout = trigger(nodes.get(2), "paused sender");
    awaitSent(callout, 40);
    ChildNode frozen = null;
    int held = 0;
    for (int attempt = 0; attempt < 50 && held == 0; attempt++) {
      ChildNode holder = busiestHolder(callout);
      holder.pause();
      held = claimedBy(callout, nodeIds.get(holder));
      if (held == 0) {
        holder.resume();  // it had just finished its claims: freeze another one
      } else {
        frozen = holder;
      }
    }
    assertThat(frozen).as("a node holding claims was frozen").isNotNull();
    System.out.printf("FaultClusterIT: froze %s holding %d claimed pages%n", nodeIds.get(frozen), held);
    long frozenAt = System.nanoTime();
    ChildNode paused = frozen;
    List<ChildNode> others = nodes.stream().filter(n -> n != paused).toList();
    // The others take over its rows once the leases run out, and finish the call-out without it.
    eventually(FINISH, () -> allFinal(others.get(0), callout));
    eventually(FINISH, () -> System.nanoTime() - frozenAt > Duration.ofSeconds(5L * LEASE_SECONDS).toNanos());
    frozen.resume();
    frozen.awaitReady();
    assertEveryoneOnce(callout);
  }

  @Test
  @Order(4)
  @DisplayName("kill -9 of a node holding claims mid-call-out: the other two take its rows over, everyone gets one SMS")
  void killOneSender() {
    Callout callout = trigger(nodes.get(0), "one sender killed");
    awaitSent(callout, 60);
    ChildNode victim = busiestHolder(callout);
    int held = claimedBy(callout, nodeIds.get(victim));
    victim.kill();
    nodes.remove(victim);
    System.out.printf("FaultClusterIT: killed %s holding %d claimed pages%n", nodeIds.get(victim), held);
    assertEveryoneOnce(callout);
  }

  @Test
  @Order(5)
  @DisplayName("two of three nodes killed mid-call-out: the survivor finishes it, everyone gets one SMS")
  void killTwoOfThree() {
    Callout callout = trigger(nodes.get(2), "two of three killed");
    awaitSent(callout, 60);
    ChildNode first = busiestHolder(callout);
    int heldFirst = claimedBy(callout, nodeIds.get(first));
    first.kill();
    nodes.remove(first);
    ChildNode second = busiestHolder(callout);
    int heldSecond = claimedBy(callout, nodeIds.get(second));
    second.kill();
    nodes.remove(second);
    System.out.printf("FaultClusterIT: killed %s (%d claims) and %s (%d claims); %s survives%n", nodeIds.get(first),
        heldFirst, nodeIds.get(second), heldSecond, nodeIds.get(nodes.get(0)));
    assertThat(nodes).hasSize(1);
    assertEveryoneOnce(callout);
  }

  // ---- the call-out and its checks

  private record Callout(String id, String ref) {
    boolean mine(SimMessage m) {
      return m.body().contains("[" + ref + "]");
    }
  }

  private Callout trigger(ChildNode via, String summary) {
    Http.Response created = Http.postJson(via.base() + "/api/v1/incidents",
        new JsonObject().put("type", "callout").put("facilityId", "general").put("summary", "Fault suite: " + summary)
            .encode());
    assertThat(created.status()).as("trigger: %s", created.body()).isEqualTo(201);
    return new Callout(created.json().getString("id"), created.json().getString("ref"));
  }

  private List<SimMessage> messages(Callout callout) {
    return simulator.simulator.allMessages().stream().filter(callout::mine).toList();
  }

  /** Waits until at least {@code count} of the call-out's pages reached the simulator: the fault lands mid-call-out. */
  private void awaitSent(Callout callout, int count) {
    eventually(FINISH, () -> messages(callout).size() >= count);
    assertThat(messages(callout).size()).as("the call-out is still under way").isLessThan(people.size());
  }

  /**
   * Once every notification of the call-out is final and no live node has a send in flight (a
   * positive signal that nothing more is coming): each of the 200 people got exactly one SMS, and the
   * incident is there, whole, on every live node.
   */
  private void assertEveryoneOnce(Callout callout) {
    eventually(FINISH, () -> allFinal(nodes.get(0), callout));
    eventually(FINISH, () -> nodes.stream().allMatch(ChildNode::noSendInFlight));
    Map<String, Long> perPerson = messages(callout).stream()
        .collect(Collectors.groupingBy(SimMessage::to, TreeMap::new, Collectors.counting()));
    Map<String, Long> twice = perPerson.entrySet().stream().filter(e -> e.getValue() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    assertThat(twice).as("people who got more than one SMS: %s", describe(callout, twice.keySet())).isEmpty();
    assertThat(perPerson.keySet()).as("people who got an SMS").containsExactlyInAnyOrderElementsOf(people);
    for (ChildNode node : nodes) {
      Http.Response detail = Http.get(node.base() + "/api/v1/incidents/" + callout.id());
      assertThat(detail.status()).as("the incident answered 201, on %s", nodeIds.get(node)).isEqualTo(200);
      JsonArray notifications = detail.json().getJsonArray("notifications");
      assertThat(notifications).hasSize(people.size());
      assertThat(notifications.stream().map(JsonObject.class::cast).map(n -> n.getString("status")))
          .as("every notification delivered, its receipt recorded or reconciled").containsOnly("delivered");
    }
  }

  /** Each of these people's messages: its SID, when it arrived, and the node and notification it came from. */
  private String describe(Callout callout, Set<String> phones) {
    return messages(callout).stream().filter(m -> phones.contains(m.to()))
        .map(m -> m.to() + " " + m.sid() + " at " + m.receivedNanos() / 1_000_000 + " ms from " + m.statusCallback())
        .collect(Collectors.joining("; "));
  }

  /** Whether every notification of the call-out is {@code delivered}, as {@code node} reads them. */
  private boolean allFinal(ChildNode node, Callout callout) {
    Http.Response detail = Http.get(node.base() + "/api/v1/incidents/" + callout.id());
    if (detail.status() != 200) {
      return false;
    }
    JsonArray notifications = detail.json().getJsonArray("notifications");
    return notifications.size() == people.size() && notifications.stream().map(JsonObject.class::cast)
        .allMatch(n -> "delivered".equals(n.getString("status")));
  }

  private static boolean smsDegraded(ChildNode node) {
    try (LiveClient live = LiveClient.connect(node.port(), null)) {
      return live.snapshot.getJsonObject("sms").getBoolean("degraded");
    }
  }

  /** The live node holding the most leases on the call-out's rows now. */
  private ChildNode busiestHolder(Callout callout) {
    return nodes.stream().filter(ChildNode::alive)
        .max(Comparator.comparingInt(n -> claimedBy(callout, nodeIds.get(n)))).orElseThrow();
  }

  /** How many of the call-out's rows {@code nodeId} holds a lease on ({@code sending}). */
  private int claimedBy(Callout callout, String nodeId) {
    try (Connection c = DriverManager.getConnection(db.url, db.user, "");
         PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM notification WHERE incident_id = ?"
             + " AND status = 'sending' AND lease_owner = ?")) {
      ps.setString(1, callout.id());
      ps.setString(2, nodeId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the nodes

  /** Starts nodes until three are alive: the first alone (it migrates the schema), the rest side by side. */
  private void ensureNodes() throws IOException {
    nodes.removeIf(n -> !n.alive());
    List<ChildNode> starting = new ArrayList<>();
    while (nodes.size() + starting.size() < NODES) {
      ChildNode node = launch();
      if (nodes.isEmpty() && starting.isEmpty()) {
        node.awaitReady();
        nodes.add(node);
      } else {
        starting.add(node);
      }
    }
    for (ChildNode node : starting) {
      node.awaitReady();
      nodes.add(node);
    }
  }

  private ChildNode launch() throws IOException {
    int n = launched.incrementAndGet();
    String nodeId = "fault-node-" + n;
    Map<String, String> env = ChildNode.env(simulator, db);
    env.put("MUSTER_DB_URL", db.url.replace("127.0.0.1:5432/", "127.0.0.1:" + proxy.port() + "/"));
    env.put("MUSTER_ROSTER", ROSTER);
    env.put("MUSTER_PLAYBOOKS", PLAYBOOKS);
    env.put("MUSTER_LEASE_SECONDS", String.valueOf(LEASE_SECONDS));
    env.put("MUSTER_POLL_MS", "250");
    env.put("MUSTER_SMS_MPS", "50");
    env.put("MUSTER_RECONCILE_AFTER_SECONDS", "3");
    ChildNode node = ChildNode.launch(ChildNode.clusterEnv(env, clusterName, nodeId),
        nodeId);
    nodeIds.put(node, nodeId);
    return node;
  }

  private static Set<String> phones() throws IOException {
    Matcher m = PHONE.matcher(Files.readString(Path.of(ROSTER)));
    Set<String> phones = new java.util.HashSet<>();
    while (m.find()) {
      phones.add(m.group(1));
    }
    assertThat(phones).hasSize(200);
    return phones;
  }
}
