package io.muster.bench;

import io.muster.sim.SimMessage;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Muster node as an operator runs it ({@code io.muster.app.Main} in a JVM of its own,
 * configured through the environment) on H2 (the embedded default, {@code ./data} in a temporary
 * folder) or on a scratch PostgreSQL database, with a one-person playbook. Its Twilio account
 * points at an SMS simulator in this JVM, which notes when each message's request arrived; SMS
 * pacing is off, as it is with the built-in simulator (with a Twilio account it would default to
 * one message a second, a long code's rate).
 */
final class MusterNode implements PagingSystem {
  private static final Pattern ANNOUNCED = Pattern.compile("Dashboard:\\s+(http://\\S+?)/?$");
  private static final Pattern REF = Pattern.compile("\\[([A-Z0-9]{5})]");
  private static final Pattern REF_JSON = Pattern.compile("\"ref\"\\s*:\\s*\"([A-Z0-9]+)\"");
  private static final Pattern TOKEN = Pattern.compile("\"accessToken\"\\s*:\\s*\"([^\"]+)\"");
  private static final String PASSWORD = "compare-" + HexFormat.of().formatHex(new byte[] {1, 2, 3, 4, 5, 6});
  private static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  private final String name;
  private final Path dir;
  private final Vertx vertx;
  private final SmsSimulator simulator;
  private final String database;
  private final String pgUser;
  private final Arrivals arrivals = new Arrivals();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .executor(Executors.newFixedThreadPool(4, daemon("muster-client"))).build();
  private BenchProcess process;
  private String base;
  private String token;

  private MusterNode(String name, Path dir, Vertx vertx, SmsSimulator simulator, String database, String pgUser) {
    this.name = name;
    this.dir = dir;
    this.vertx = vertx;
    this.simulator = simulator;
    this.database = database;
    this.pgUser = pgUser;
  }

  /**
   * {@code kind}: "h2" or "postgres" (a scratch database, made now and dropped by {@link #close});
   * {@code extraEnv}: settings on top of the benchmark's (MUSTER_POLL_MS=..., say).
   */
  static MusterNode start(String kind, String pgUser, List<String> jvmArgs, Map<String, String> extraEnv)
      throws Exception {
    Path dir = Files.createTempDirectory("muster-compare-");
    Vertx vertx = Vertx.vertx();
    String sid = "AC" + HexFormat.of().formatHex(new byte[16]);
    String authToken = "bench-" + System.nanoTime();
    // Sent and delivered receipts come back as they do from the built-in simulator (200 ms, 800 ms).
    SmsSimulator simulator = new SmsSimulator(new SimulatorConfig("127.0.0.1", 0, sid, authToken, 200, 800));
    String database = "postgres".equals(kind) ? "muster_compare_" + Long.toHexString(System.nanoTime()) : null;
    MusterNode node = new MusterNode("postgres".equals(kind) ? "Muster (PostgreSQL)" : "Muster (H2)", dir, vertx,
        simulator, database, pgUser);
    try {
      simulator.start(vertx).await();
      simulator.onMessage(node::noted);
      if (database != null) {
        node.pg("CREATE DATABASE " + database);
      }
      node.launch(jvmArgs, sid, authToken, extraEnv);
      return node;
    } catch (Exception | Error e) {
      node.close();
      throw e;
    }
  }

  private void noted(SimMessage m) {
    if (SimMessage.OUTBOUND.equals(m.direction())) {
      Matcher ref = REF.matcher(m.body());
      if (ref.find()) {
        arrivals.arrived(ref.group(1), m.receivedNanos());
      }
    }
  }

  private void launch(List<String> jvmArgs, String sid, String authToken, Map<String, String> extraEnv)
      throws Exception {
    writeFiles();
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", NodeProcess.classpath(), "io.muster.app.Main", "-conf", dir.resolve("muster.yaml").toString()));
    Map<String, String> env = env(sid, authToken);
    env.putAll(extraEnv);
    process = BenchProcess.start(command, dir, env, dir.resolve("node.log"), ANNOUNCED);
    try {
      Matcher url = ANNOUNCED.matcher(process.line(ANNOUNCED, Duration.ofSeconds(180)).text());
      url.find();
      base = url.group(1);
      token = login();
    } catch (RuntimeException e) {
      throw new IllegalStateException(name + " did not start: " + e.getMessage() + "\n" + process.tail(40), e);
    }
  }

  private Map<String, String> env(String sid, String authToken) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MUSTER_HTTP_HOST", "127.0.0.1");
    env.put("MUSTER_HTTP_PORT", "0");
    if (database != null) {
      env.put("MUSTER_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + database);
      env.put("MUSTER_DB_USER", pgUser);
    }
    env.put("MUSTER_ROSTER", dir.resolve("roster.yaml").toString());
    env.put("MUSTER_PLAYBOOKS", dir.resolve("playbooks").toString());
    env.put("MUSTER_READINESS", dir.resolve("readiness.yaml").toString());
    env.put("MUSTER_RATE_PER_SECOND", "100000");
    env.put("MUSTER_RATE_BURST", "100000");
    env.put("MUSTER_ADMIN_PASSWORD", PASSWORD);
    env.put("MUSTER_SMS_MPS", "0");
    env.put("TWILIO_ACCOUNT_SID", sid);
    env.put("TWILIO_AUTH_TOKEN", authToken);
    env.put("TWILIO_FROM", SmsSimulator.DEFAULT_SENDER_NUMBER);
    env.put("TWILIO_API_BASE_URL", simulator.baseUrl());
    return env;
  }

  /** One facility, one person in one role, one playbook that pages that role. */
  private void writeFiles() throws IOException {
    Files.writeString(dir.resolve("muster.yaml"), "http:\n  host: 127.0.0.1\n");
    Files.writeString(dir.resolve("roster.yaml"), """
        facilities:
          - {id: general, name: Benchmark Hospital, type: hospital}
        roles:
          - on-call
        staff:
          - {id: ann-lee, name: Ann Lee, phone: "+1 617 555 0201", facility: general, roles: [on-call]}
        """);
    Files.writeString(dir.resolve("readiness.yaml"), "reportingIntervalMinutes: 240\n");
    Files.createDirectories(dir.resolve("playbooks"));
    Files.writeString(dir.resolve("playbooks").resolve("page-one.yaml"), """
        id: page-one
        name: Page the person on call
        severity: high
        steps:
          - page:
              to: [on-call]
              say: "PAGE at {facility}: {summary}."
        stand-down:
          say: "ALL CLEAR at {facility}."
        """);
  }

  private String login() throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    Matcher m = TOKEN.matcher(r.body());
    if (r.statusCode() != 200 || !m.find()) {
      throw new IllegalStateException("sign-in failed: " + r.statusCode() + " " + r.body());
    }
    return m.group(1);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public CompletableFuture<String> trigger(long n) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/incidents")).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").header("authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"page-one\",\"facilityId\":\"general\",\"summary\":"
            + "\"Benchmark trigger " + n + "\",\"drill\":true}")).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      Matcher ref = REF_JSON.matcher(r.body());
      if (r.statusCode() != 201 || !ref.find()) {
        throw new IllegalStateException("trigger answered " + r.statusCode() + " " + r.body());
      }
      return ref.group(1);
    });
  }

  @Override
  public Arrivals arrivals() {
    return arrivals;
  }

  /** The node's CPU time, and on PostgreSQL the server's too (every postgres process: nothing else uses it meanwhile). */
  @Override
  public long cpuNanos() {
    long node = process.cpuNanos();
    return database == null || node < 0 ? node : node + BenchProcess.cpuNanosOf("postgres");
  }

  private void pg(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, pgUser, ""); Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      s.execute(sql);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (process != null) {
        process.close();
      }
      simulator.stop().await();
      vertx.close().await();
      if (database != null) {
        pg("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
      }
    } finally {
      BenchProcess.deleteTree(dir);
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
