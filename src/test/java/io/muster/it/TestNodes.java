package io.muster.it;

import io.muster.app.ClusterCerts;
import io.muster.app.Muster;
import io.muster.app.MusterConfig;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Muster nodes for integration tests, the way an operator would run them: real HTTP on loopback
 * ports the system chooses (port 0, the bound port read back), the real Twilio SDK pointed at one shared SMS simulator, a real database, and,
 * for several nodes, a Hazelcast cluster on loopback with a random cluster name.
 */
public final class TestNodes implements AutoCloseable {
  public static final String ACCOUNT_SID = "AC" + "0".repeat(31) + "1";
  public static final String AUTH_TOKEN = "test-auth-token-" + UUID.randomUUID();
  /** The administrator each test database gets at its first node's start. */
  public static final String ADMIN_USER = "admin";
  public static final String ADMIN_PASSWORD = "it-admin-" + UUID.randomUUID();
  /** One signing secret for all nodes of a test, as a cluster must have. */
  private final String jwtSecret = "it-jwt-secret-" + UUID.randomUUID();
  /** One audit key for all nodes of a test, as a cluster must have; never a file in the working directory. */
  private final String auditKey = "it-audit-key-" + UUID.randomUUID();
  /** The nodes' checkpoint file, in a folder of this test's own, removed at close. */
  private final Path checkpointDir;

  private static Path certs;

  private final Vertx simulatorVertx = Vertx.vertx();
  public final SmsSimulator simulator;
  private final List<Muster> nodes = new ArrayList<>();
  private final TestDatabase db;
  /** Whether {@link #close} closes the database too (it was made by {@link #on}). */
  private boolean ownsDatabase;

  public TestNodes(TestDatabase db) {
    this(db, 5, 5);
  }

  /** With the simulator's delays before "sent" and "delivered" callbacks (negative: none). */
  public TestNodes(TestDatabase db, long sentDelayMs, long deliveredDelayMs) {
    this.db = db;
    try {
      checkpointDir = Files.createTempDirectory("muster-checkpoints-");
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, ACCOUNT_SID, AUTH_TOKEN, sentDelayMs,
        deliveredDelayMs));
    simulator.start(simulatorVertx).await();
  }

  /** Nodes on a new database of this kind ("h2" or "postgres"), which {@link #close} drops. */
  public static TestNodes on(String kind) {
    return on(kind, 5, 5);
  }

  /** As {@link #on(String)}, with the simulator's delays before "sent" and "delivered" callbacks. */
  public static TestNodes on(String kind, long sentDelayMs, long deliveredDelayMs) {
    TestDatabase db = TestDatabase.create(kind);
    try {
      TestNodes nodes = new TestNodes(db, sentDelayMs, deliveredDelayMs);
      nodes.ownsDatabase = true;
      return nodes;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  public TestDatabase db() {
    return db;
  }

  /** A single node. */
  public Muster start() {
    return start(new JsonObject());
  }

  /** A single node with extra configuration; it listens on a port the system chooses unless {@code extra} names one. */
  public Muster start(JsonObject extra) {
    Muster node = Muster.start(MusterConfig.of(config(0).mergeIn(extra, true))).await();
    nodes.add(node);
    Http.authorize("127.0.0.1:" + node.httpPort(), login(node, ADMIN_USER, ADMIN_PASSWORD));
    return node;
  }

  /** A single node with this roster and these playbooks, and any further configuration in {@code extra}. */
  public Muster start(String roster, String playbooks, JsonObject extra) {
    return start(files(roster, playbooks).mergeIn(extra, true));
  }

  /** The configuration that points a node at this roster and these playbooks. */
  public static JsonObject files(String roster, String playbooks) {
    return new JsonObject().put("files", new JsonObject().put("roster", roster).put("playbooks", playbooks));
  }

  /** Triggers an incident of {@code type} at {@code facility} over the API; asserts the 201, returns the incident. */
  public static JsonObject trigger(String base, String type, String facility, String summary) {
    return trigger(base, new JsonObject().put("type", type).put("facilityId", facility).put("summary", summary));
  }

  /** Triggers the incident {@code body} describes over the API; asserts the 201, returns the incident. */
  public static JsonObject trigger(String base, JsonObject body) {
    Http.Response r = Http.postJson(base + "/api/v1/incidents", body.encode());
    if (r.status() != 201) {
      throw new AssertionError("trigger " + body.encode() + ": expected 201, got " + r.status() + " " + r.body());
    }
    return r.json();
  }

  /**
   * Whether the outbox is drained: no notification is queued or being sent, so whatever the
   * dispatchers had claimed or had due has reached the simulator. The positive signal that nothing
   * more is on its way, where a test would otherwise wait "long enough".
   */
  public boolean outboxDrained() {
    return db.count("SELECT COUNT(*) FROM notification WHERE status IN ('queued', 'sending')") == 0;
  }

  /**
   * The positive signal that the pages so far have all arrived, where a test would otherwise wait
   * "long enough" for a duplicate: a later incident (the marker) is triggered at {@code base}, its
   * page reaches each of {@code phones}, and then nothing is queued or being sent. A message claimed
   * before the marker was triggered has had longer than a whole trigger, claim and send to arrive.
   * Returns the marker incident; count what came before by its reference.
   */
  public JsonObject awaitMarker(String base, JsonObject incident, Collection<String> phones) {
    JsonObject marker = trigger(base, incident);
    String ref = "[" + marker.getString("ref") + "]";
    PipelineIT.eventually("the marker incident's pages", PipelineIT.WAIT, () -> phones.stream()
        .allMatch(p -> simulator.messagesTo(p).stream().anyMatch(m -> m.body().contains(ref))));
    awaitOutboxDrained();
    return marker;
  }

  /** Waits until {@link #outboxDrained}. */
  public void awaitOutboxDrained() {
    PipelineIT.eventually(this::outboxDrained);
  }

  /** The newest sequence the journal holds. */
  public long journalHead() {
    return db.count("SELECT COALESCE(MAX(seq), 0) FROM journal");
  }

  /** Waits until {@code live} has received every event the journal holds now. */
  public void awaitLive(LiveClient live) {
    live.awaitSeq(journalHead(), PipelineIT.WAIT);
  }

  /** Signs in over the API; returns the access token. */
  public static String login(Muster node, String username, String password) {
    return login(baseUrl(node), username, password);
  }

  /** Signs in over the API at {@code base}; returns the access token. */
  public static String login(String base, String username, String password) {
    Http.Response r = Http.postJson(base + "/api/v1/auth/login",
        new JsonObject().put("username", username).put("password", password).encode());
    if (r.status() != 200) {
      throw new AssertionError("sign-in as " + username + " failed: " + r.status() + " " + r.body());
    }
    return r.json().getString("accessToken");
  }

  /** {@code count} clustered nodes sharing the database. */
  public List<Muster> startCluster(int count) {
    return startCluster(count, new JsonObject());
  }

  /** {@code count} clustered nodes sharing the database, each with the extra configuration. */
  public List<Muster> startCluster(int count, JsonObject extra) {
    String name = "muster-it-" + UUID.randomUUID();
    List<Muster> started = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      started.add(start(extra.copy().put("cluster", cluster(name).mergeIn(tls("node-" + (i + 1))))));
    }
    return started;
  }

  /** The first Hazelcast port of the range test nodes use (nodes of other tests there have other cluster names). */
  public static final int HAZELCAST_PORT = 5901;
  /** How many ports that range has. */
  public static final int HAZELCAST_PORTS = 40;

  /**
   * A node's Hazelcast settings, as vertx-hazelcast's own tests have them: loopback only, a cluster
   * name of its own, and a port range in which each node takes the first free port (no port picked
   * in advance, so none can be taken in between); the members are that range's ports.
   */
  public static JsonObject cluster(String name) {
    JsonArray members = new JsonArray();
    for (int p = HAZELCAST_PORT; p < HAZELCAST_PORT + HAZELCAST_PORTS; p++) {
      members.add("127.0.0.1:" + p);
    }
    return new JsonObject().put("enabled", true).put("name", name).put("host", "127.0.0.1")
        .put("port", HAZELCAST_PORT).put("portCount", HAZELCAST_PORTS).put("members", members);
  }

  /**
   * A node's event bus settings: any free port, and its certificate from the test JVM's cluster CA
   * (made once, in a temporary folder, by the same code as {@code muster cluster-certs}).
   */
  public static synchronized JsonObject tls(String node) {
    if (certs == null) {
      try {
        certs = java.nio.file.Files.createTempDirectory("muster-certs-");
        Path made = certs;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try (var files = java.nio.file.Files.walk(made)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
          } catch (IOException ignored) {
            // a temporary folder left behind is harmless
          }
        }));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
    ClusterCerts.write(certs, List.of(node), 2);
    Path dir = certs.resolve(node);
    return new JsonObject().put("eventBusPort", 0).put("tlsCert", dir.resolve("node.crt").toString())
        .put("tlsKey", dir.resolve("node.key").toString()).put("tlsCa", dir.resolve("ca.crt").toString());
  }

  /** The test JVM's cluster certificates folder (its CA, and a folder per node that {@link #tls} made). */
  public static synchronized Path clusterCerts() {
    tls("node-1");
    return certs;
  }

  public String jwtSecret() {
    return jwtSecret;
  }

  public String auditKey() {
    return auditKey;
  }

  /** Where the nodes of this test append their audit checkpoints. */
  public Path checkpointFile() {
    return checkpointDir.resolve("audit-checkpoints.log");
  }

  /**
   * A node's configuration on this test's database and simulator. With {@code httpPort} 0 the node
   * listens on a port the system chooses and derives its public base URL from it.
   */
  public JsonObject config(int httpPort) {
    JsonObject http = new JsonObject().put("host", "127.0.0.1").put("port", httpPort);
    if (httpPort != 0) {
      http.put("publicBaseUrl", "http://127.0.0.1:" + httpPort);
    }
    return new JsonObject()
        .put("http", http)
        .put("db", new JsonObject().put("url", db.url).put("user", db.user).put("password", "").put("poolSize", 8))
        .put("sms", new JsonObject().put("accountSid", ACCOUNT_SID).put("authToken", AUTH_TOKEN)
            .put("apiBaseUrl", simulator.baseUrl()))
        .put("files", new JsonObject().put("roster", "src/test/resources/it/roster.yaml")
            .put("playbooks", "src/test/resources/it/playbooks").put("readiness", "src/test/resources/it/readiness.yaml"))
        .put("dispatch", new JsonObject().put("pollMs", 250).put("leaseSeconds", 5).put("sendThreads", 8))
        .put("security", new JsonObject().put("adminPassword", ADMIN_PASSWORD).put("jwtSecret", jwtSecret)
            .put("tokenMinutes", 120).put("bcryptCost", 4).put("requestsPerSecond", 5000).put("burst", 5000)
            .put("loginsPerMinute", 600).put("auditKey", auditKey)
            .put("auditCheckpointFile", checkpointFile().toString()))
        .put("limits", new JsonObject().put("anonymousPerSecond", 5000).put("anonymousBurst", 5000));
  }

  public static String baseUrl(Muster node) {
    return "http://127.0.0.1:" + node.httpPort();
  }

  /** Stops a node as an operator would (its verticles and connections close). */
  public void stop(Muster node) {
    nodes.remove(node);
    node.stop().await();
  }

  /**
   * A port free at the time of asking, for what cannot listen on port 0 itself (a proxy in front of a
   * node, a URL where nothing must listen). In-process nodes listen on port 0 instead.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (Muster node : List.copyOf(nodes)) {
      stop(node);
    }
    simulator.stop().await();
    simulatorVertx.close().await();
    if (ownsDatabase) {
      db.close();
    }
    try (var files = Files.walk(checkpointDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder left behind is harmless
    }
  }
}
