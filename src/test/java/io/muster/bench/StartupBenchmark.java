package io.muster.bench;

import io.muster.app.ClusterCerts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start → ready of the packaged jar, each start in a JVM of its own as an operator runs it
 * ({@code java -jar target/muster.jar} in a folder with the project's {@code config/} and
 * {@code playbooks/}):
 * <ul>
 *   <li>one node on the embedded default, a fresh {@code ./data} each run (the first start: schema
 *       migrations, secrets, the first administrator), then a restart on that data;</li>
 *   <li>a second clustered node joining a first one (PostgreSQL, a scratch database made and dropped
 *       per run): its start → ready, and its start → the first node logging it joined;</li>
 *   <li>{@code prometheus-alertmanager}'s start → {@code /-/ready}, when it is installed.</li>
 * </ul>
 * Each node listens on port 0 (the HTTP API; the event bus too when clustered) and is found at the
 * port it announces ({@code Dashboard: http://127.0.0.1:PORT/}); only Hazelcast gets a port chosen
 * ahead, since every member lists the others'. "Ready" is the first {@code 200} of
 * {@code /health/ready}, asked every 10 ms from the announcement on; the time of the announcement
 * is printed too, and the CPU time the node's JVM had
 * used when it was ready (all its threads: on a machine that others load, the work a start does
 * shows there better than in its wall time). Build the jar first:
 * {@code mvn -B -q -DskipTests package && mvn -B -q -Pbench test-compile exec:java
 * -Dbench.main=io.muster.bench.StartupBenchmark}. Options: {@code -Dbench.runs=5},
 * {@code -Dbench.clusterRuns=3}, {@code -Dbench.jar=target/muster.jar},
 * {@code -Dbench.jvmArgs="..."} (for the Muster JVMs), {@code -Dbench.pgUser=root},
 * {@code -Dbench.alertmanager=/usr/bin/prometheus-alertmanager}.
 */
public final class StartupBenchmark {
  /** The node's announcement, with the URL it derived from the port the system gave it. */
  private static final Pattern ANNOUNCED = Pattern.compile("Dashboard:\\s+http://[^\\s/]+:(\\d+)/");
  private static final Pattern JOINED = Pattern.compile("cluster member \\S+ joined");
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path project = Paths.get("").toAbsolutePath();
  private final Path jar = project.resolve(System.getProperty("bench.jar", "target/muster.jar"));
  private final List<String> jvmArgs = split(System.getProperty("bench.jvmArgs", ""));
  private final String pgUser = System.getProperty("bench.pgUser", "root");

  private StartupBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("bench.runs", 5);
    int clusterRuns = Integer.getInteger("bench.clusterRuns", 3);
    Path alertmanager = Path.of(System.getProperty("bench.alertmanager", "/usr/bin/prometheus-alertmanager"));
    StartupBenchmark bench = new StartupBenchmark();
    if (!Files.isRegularFile(bench.jar)) {
      throw new IllegalStateException(bench.jar + " is missing: build it with mvn -B -q -DskipTests package");
    }
    System.out.println("Startup benchmark: " + bench.jar + " (built " + Files.getLastModifiedTime(bench.jar) + "), "
        + Runtime.getRuntime().availableProcessors() + " cores, load average " + loadAverage()
        + (bench.jvmArgs.isEmpty() ? "" : ", JVM options " + bench.jvmArgs));
    Map<String, List<Long>> figures = new LinkedHashMap<>();
    bench.single(runs, figures);
    if (clusterRuns > 0) {
      if (bench.postgresReachable()) {
        bench.cluster(clusterRuns, figures);
      } else {
        System.out.println("SKIPPED: the clustered start: PostgreSQL is not reachable at 127.0.0.1:5432 as " + bench.pgUser);
      }
    }
    if (Files.isExecutable(alertmanager)) {
      bench.alertmanager(alertmanager, runs, figures);
    } else {
      System.out.println("SKIPPED: Alertmanager: " + alertmanager + " is not installed");
    }
    System.out.println();
    System.out.println("start -> ready (load average now " + loadAverage() + "):");
    figures.forEach((what, nanos) -> System.out.printf("  %-58s %s%n", what, Percentiles.of(nanos).format()));
    ratio(figures, "Muster, embedded default, first start: /health/ready 200", "Alertmanager: /-/ready 200");
    ratio(figures, "Muster, embedded default, restart: /health/ready 200", "Alertmanager: /-/ready 200");
    System.exit(0);
  }

  /** One node on the embedded default: a first start on a fresh ./data, then a restart on it. */
  private void single(int runs, Map<String, List<Long>> figures) throws Exception {
    for (int i = 0; i < runs; i++) {
      Path dir = workDir("muster-start-");
      try {
        for (String start : List.of("first start", "restart")) {
          Map<String, String> env = new LinkedHashMap<>();
          env.put("MUSTER_HTTP_HOST", "127.0.0.1");
          env.put("MUSTER_HTTP_PORT", "0");
          env.put("MUSTER_SIMULATOR_PORT", "0");
          String what = "Muster, embedded default, " + start;
          try (BenchProcess node = muster(dir, env, dir.resolve("node-" + start.replace(' ', '-') + ".log"))) {
            record(figures, what + ": /health/ready 200", node.awaitHttp200(readyUrl(node), TIMEOUT));
            record(figures, what + ": CPU used by then", node.cpuNanos());
            record(figures, what + ": announced", node.awaitLine(ANNOUNCED, TIMEOUT));
          }
        }
      } finally {
        BenchProcess.deleteTree(dir);
      }
    }
  }

  /** Two clustered nodes on a scratch PostgreSQL database: the second one's start is timed. */
  private void cluster(int runs, Map<String, List<Long>> figures) throws Exception {
    for (int i = 0; i < runs; i++) {
      String database = "muster_startbench_" + hex(6);
      Path dir = workDir("muster-cluster-");
      pg("CREATE DATABASE " + database);
      try {
        ClusterCerts.write(dir.resolve("certs"), List.of("a", "b"), 2);
        int hzA = io.muster.it.TestNodes.freePort();
        int hzB = io.muster.it.TestNodes.freePort();
        Map<String, String> shared = clusterEnv(database, "muster-bench-" + hex(6), hzA, hzB);
        try (BenchProcess a = clusterNode(dir, "a", hzA, shared, JOINED)) {
          record(figures, "Muster, cluster (PostgreSQL), first node: /health/ready 200",
              a.awaitHttp200(readyUrl(a), TIMEOUT));
          try (BenchProcess b = clusterNode(dir, "b", hzB, shared)) {
            record(figures, "Muster, cluster, second node: /health/ready 200", b.awaitHttp200(readyUrl(b), TIMEOUT));
            record(figures, "Muster, cluster, second node: CPU used by then", b.cpuNanos());
            record(figures, "Muster, cluster, second node: announced", b.awaitLine(ANNOUNCED, TIMEOUT));
            long joinedAtA = a.awaitLine(JOINED, TIMEOUT) + a.startNanos - b.startNanos;
            record(figures, "Muster, cluster, second node: first node logs it joined", joinedAtA);
          }
        }
      } finally {
        pg("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        BenchProcess.deleteTree(dir);
      }
    }
  }

  /** The readiness probe at the port the node announced, once it has. */
  private static String readyUrl(BenchProcess node) {
    Matcher announced = ANNOUNCED.matcher(node.line(ANNOUNCED, TIMEOUT).text());
    if (!announced.find()) {
      throw new IllegalStateException("no port in the announcement; see " + node.log());
    }
    return "http://127.0.0.1:" + announced.group(1) + "/health/ready";
  }

  private BenchProcess clusterNode(Path dir, String name, int hazelcastPort, Map<String, String> shared,
                                   Pattern... awaited) throws IOException {
    Path certs = dir.resolve("certs").resolve(name);
    Path nodeDir = Files.createDirectories(dir.resolve(name));
    copyProjectFiles(nodeDir);
    Map<String, String> env = new LinkedHashMap<>(shared);
    env.put("MUSTER_NODE_ID", name);
    env.put("MUSTER_HTTP_PORT", "0");
    env.put("MUSTER_CLUSTER_PORT", Integer.toString(hazelcastPort));
    env.put("MUSTER_CLUSTER_TLS_CERT", certs.resolve("node.crt").toString());
    env.put("MUSTER_CLUSTER_TLS_KEY", certs.resolve("node.key").toString());
    env.put("MUSTER_CLUSTER_TLS_CA", certs.resolve("ca.crt").toString());
    env.put("MUSTER_AUDIT_CHECKPOINTS", nodeDir.resolve("audit-checkpoints.log").toString());
    List<Pattern> patterns = new ArrayList<>(List.of(awaited));
    patterns.add(ANNOUNCED);
    return BenchProcess.start(command(), nodeDir, env, dir.resolve("node-" + name + ".log"),
        patterns.toArray(Pattern[]::new));
  }

  private Map<String, String> clusterEnv(String database, String clusterName, int hzA, int hzB) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MUSTER_HTTP_HOST", "127.0.0.1");
    env.put("MUSTER_SIMULATOR_PORT", "0");
    env.put("MUSTER_DB_URL", "jdbc:postgresql://127.0.0.1:5432/" + database);
    env.put("MUSTER_DB_USER", pgUser);
    env.put("MUSTER_CLUSTER", "true");
    env.put("MUSTER_CLUSTER_NAME", clusterName);
    env.put("MUSTER_CLUSTER_HOST", "127.0.0.1");
    env.put("MUSTER_CLUSTER_MEMBERS", "127.0.0.1:" + hzA + ",127.0.0.1:" + hzB);
    env.put("MUSTER_EVENTBUS_HOST", "127.0.0.1");
    env.put("MUSTER_EVENTBUS_PORT", "0");
    env.put("MUSTER_JWT_SECRET", hex(32));
    env.put("MUSTER_AUDIT_KEY", hex(32));
    env.put("MUSTER_ADMIN_PASSWORD", "bench-" + hex(12));
    return env;
  }

  /** Alertmanager with one webhook receiver, no peers (no gossip port): start → {@code /-/ready}. */
  private void alertmanager(Path binary, int runs, Map<String, List<Long>> figures) throws Exception {
    for (int i = 0; i < runs; i++) {
      Path dir = workDir("alertmanager-start-");
      try {
        Files.writeString(dir.resolve("alertmanager.yml"), AlertmanagerComparison.config("http://127.0.0.1:9/"));
        int port = io.muster.it.TestNodes.freePort();
        List<String> command = List.of(binary.toString(), "--config.file=" + dir.resolve("alertmanager.yml"),
            "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
            "--cluster.listen-address=");
        try (BenchProcess am = BenchProcess.start(command, dir, Map.of(), dir.resolve("alertmanager.log"))) {
          record(figures, "Alertmanager: /-/ready 200", am.awaitHttp200("http://127.0.0.1:" + port + "/-/ready", TIMEOUT));
        }
      } finally {
        BenchProcess.deleteTree(dir);
      }
    }
  }

  private BenchProcess muster(Path dir, Map<String, String> env, Path log) throws IOException {
    return BenchProcess.start(command(), dir, env, log, ANNOUNCED);
  }

  private List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArgs);
    command.add("-jar");
    command.add(jar.toString());
    return command;
  }

  /** A temporary working folder with the project's config/ and playbooks/, as in a checkout. */
  private Path workDir(String prefix) throws IOException {
    Path dir = Files.createTempDirectory(prefix);
    copyProjectFiles(dir);
    return dir;
  }

  /**
   * The project's config/ and playbooks/; the copy of config/muster.yaml without its public base
   * URL (http://localhost:8080, for the shipped port), so that the node derives it from the port it
   * was given and announces that.
   */
  private void copyProjectFiles(Path dir) throws IOException {
    BenchProcess.copyTree(project.resolve("config"), dir.resolve("config"));
    BenchProcess.copyTree(project.resolve("playbooks"), dir.resolve("playbooks"));
    Path conf = dir.resolve("config").resolve("muster.yaml");
    List<String> lines = Files.readAllLines(conf);
    Files.write(conf, lines.stream().filter(line -> !line.strip().startsWith("publicBaseUrl:")).toList());
  }

  private boolean postgresReachable() {
    try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, pgUser, "")) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private void pg(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, pgUser, ""); Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      s.execute(sql);
    }
  }

  private static void record(Map<String, List<Long>> figures, String what, long nanos) {
    figures.computeIfAbsent(what, k -> new ArrayList<>()).add(nanos);
    System.out.printf("  %-58s %.0f ms  (load average %s)%n", what, Percentiles.ms(nanos), loadAverage());
  }

  private static void ratio(Map<String, List<Long>> figures, String muster, String alertmanager) {
    if (figures.containsKey(muster) && figures.containsKey(alertmanager)) {
      System.out.printf("  %s / Alertmanager, p50: %.1fx%n", muster.substring(0, muster.indexOf(':')),
          (double) Percentiles.of(figures.get(muster)).p50() / Percentiles.of(figures.get(alertmanager)).p50());
    }
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static List<String> split(String s) {
    return s.isBlank() ? List.of() : Arrays.asList(s.trim().split("\\s+"));
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
