package io.muster.it;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Muster node as an operator runs it: {@code io.muster.app.Main} in a JVM of its own, configured
 * through the environment, so that a test can kill it with {@code kill -9} ({@link #kill}), freeze it
 * with {@code SIGSTOP} ({@link #pause}, {@link #resume}) and start another on the same database. It
 * may join a cluster of such nodes ({@link #clusterEnv}). SMS goes to the test's simulator; the
 * node's output goes to a log file under {@code target/}.
 */
final class ChildNode implements AutoCloseable {
  /**
   * The node's configuration file: none of {@code config/muster.yaml}'s settings (its public URL is
   * port 8080's), everything from the environment.
   */
  private static final Path CONF = Path.of("target/child-node.yaml");
  /** The node's announcement once it is up, with the URL it derived from the port it was given. */
  private static final Pattern UP = Pattern.compile("Dashboard:\\s+http://127\\.0\\.0\\.1:(\\d+)/");

  private final Process process;
  /** The HTTP port the node was given by the system (it listens on port 0): known once it announced itself. */
  private volatile int port;
  private final File log;
  private volatile boolean paused;

  private ChildNode(Process process, File log) {
    this.process = process;
    this.log = log;
  }

  /**
   * The environment of a single node on {@code db}, listening on a port the system chooses (its
   * public URL derived from it), sending through the test simulator, with short poll and lease
   * times and no rate limit on the test administrator.
   */
  static Map<String, String> env(TestNodes nodes, TestDatabase db) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MUSTER_HTTP_HOST", "127.0.0.1");
    env.put("MUSTER_HTTP_PORT", "0");
    env.put("MUSTER_DB_URL", db.url);
    env.put("MUSTER_DB_USER", db.user);
    env.put("MUSTER_ROSTER", "src/test/resources/it/roster.yaml");
    env.put("MUSTER_PLAYBOOKS", "src/test/resources/it/playbooks");
    env.put("MUSTER_READINESS", "src/test/resources/it/readiness.yaml");
    env.put("MUSTER_POLL_MS", "250");
    env.put("MUSTER_LEASE_SECONDS", "2");
    env.put("MUSTER_RATE_PER_SECOND", "5000");
    env.put("MUSTER_RATE_BURST", "5000");
    env.put("MUSTER_JWT_SECRET", nodes.jwtSecret());
    env.put("MUSTER_AUDIT_KEY", nodes.auditKey());
    env.put("MUSTER_AUDIT_CHECKPOINTS", nodes.checkpointFile().toString());
    env.put("MUSTER_ADMIN_PASSWORD", TestNodes.ADMIN_PASSWORD);
    env.put("TWILIO_ACCOUNT_SID", TestNodes.ACCOUNT_SID);
    env.put("TWILIO_AUTH_TOKEN", TestNodes.AUTH_TOKEN);
    env.put("TWILIO_FROM", "+15005550006");
    env.put("TWILIO_API_BASE_URL", nodes.simulator.baseUrl());
    return env;
  }

  /**
   * {@code base} with cluster mode on: Hazelcast on loopback in the test nodes' port range
   * ({@link TestNodes#cluster}) under the cluster {@code name}, the event bus on any free port, with
   * TLS certificates for {@code certName} from the test JVM's cluster CA (the same CA for every
   * node of the test JVM).
   */
  static Map<String, String> clusterEnv(Map<String, String> base, String name, String certName) {
    Map<String, String> env = new LinkedHashMap<>(base);
    io.vertx.core.json.JsonObject tls = TestNodes.tls(certName);
    env.put("MUSTER_NODE_ID", certName);
    env.put("MUSTER_CLUSTER", "true");
    env.put("MUSTER_CLUSTER_NAME", name);
    env.put("MUSTER_CLUSTER_HOST", "127.0.0.1");
    io.vertx.core.json.JsonObject cluster = TestNodes.cluster(name);
    env.put("MUSTER_CLUSTER_PORT", String.valueOf(cluster.getInteger("port")));
    env.put("MUSTER_CLUSTER_PORT_COUNT", String.valueOf(cluster.getInteger("portCount")));
    env.put("MUSTER_CLUSTER_MEMBERS", String.join(",", cluster.getJsonArray("members").stream().map(String::valueOf).toList()));
    env.put("MUSTER_EVENTBUS_HOST", "127.0.0.1");
    env.put("MUSTER_EVENTBUS_PORT", "0");
    env.put("MUSTER_CLUSTER_TLS_CERT", tls.getString("tlsCert"));
    env.put("MUSTER_CLUSTER_TLS_KEY", tls.getString("tlsKey"));
    env.put("MUSTER_CLUSTER_TLS_CA", tls.getString("tlsCa"));
    return env;
  }

  /** Starts the node and waits until it is ready and the test administrator is signed in. */
  static ChildNode start(Map<String, String> env, String logName) throws IOException {
    ChildNode node = launch(env, logName);
    try {
      node.awaitReady();
    } catch (RuntimeException | Error e) {
      node.kill();
      throw e;
    }
    return node;
  }

  /**
   * Starts the node's JVM without waiting for it: several nodes start side by side, then
   * {@link #awaitReady} each.
   */
  static ChildNode launch(Map<String, String> env, String logName) throws IOException {
    writeConf();
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx384m", "-Dhazelcast.logging.type=slf4j", "-cp", classpath, "io.muster.app.Main", "-conf", CONF.toString());
    pb.environment().putAll(env);
    File log = new File("target/" + logName + ".log");
    pb.redirectErrorStream(true).redirectOutput(log);
    Process process = pb.start();
    // Should the test JVM end without its clean-up (a timeout, a crash), no node outlives it.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    return new ChildNode(process, log);
  }

  /** Once per test JVM, before any node reads it. */
  private static synchronized void writeConf() throws IOException {
    if (!Files.exists(CONF)) {
      Files.writeString(CONF, "# a child node of the tests: everything else from its environment\nhttp:\n  host: 127.0.0.1\n");
    }
  }

  private String readLog() {
    try {
      return Files.readString(log.toPath());
    } catch (IOException e) {
      return "";
    }
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process.isAlive();
  }

  boolean isPaused() {
    return paused;
  }

  File log() {
    return log;
  }

  /**
   * Whether none of the node's SMS senders is busy or has a send queued (its Prometheus metrics for
   * the {@code muster-sms} worker pool): with every page final, a sign that nothing more is coming.
   */
  boolean noSendInFlight() {
    String metrics = Http.get(base() + "/metrics").body();
    return smsPoolGauge(metrics, "vertx_pool_in_use") == 0 && smsPoolGauge(metrics, "vertx_pool_queue_pending") == 0;
  }

  private static double smsPoolGauge(String metrics, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(?m)^" + name + "\\{[^}]*pool_name=\"muster-sms\"[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
    if (!m.find()) {
      throw new AssertionError(name + " for the muster-sms pool is not in the node's metrics");
    }
    return Double.parseDouble(m.group(1));
  }

  /** {@code kill -9}: the JVM gets no chance to close anything. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    paused = false;
  }

  /** {@code kill -STOP}: every thread of the JVM stands still, its sockets stay open, until {@link #resume}. */
  void pause() {
    signal("STOP");
    paused = true;
  }

  /** {@code kill -CONT}: the paused JVM runs on from where it stood. */
  void resume() {
    signal("CONT");
    paused = false;
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-s", name, String.valueOf(process.pid())).redirectErrorStream(true)
          .start();
      kill.getOutputStream().close();
      String said = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (!kill.waitFor(30, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -s " + name + " " + process.pid() + " did not finish");
      }
      if (kill.exitValue() != 0) {
        throw new IllegalStateException("kill -s " + name + " " + process.pid() + " exited " + kill.exitValue() + ": "
            + said + (process.isAlive() ? "" : " (the node is not running)"));
      }
    } catch (IOException e) {
      throw new IllegalStateException("kill -" + name + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Waits until the node announces the URL it derived from the port it was given, answers ready,
   * and signs the test administrator in.
   */
  void awaitReady() {
    PipelineIT.eventually(Duration.ofSeconds(120), () -> {
      if (!process.isAlive()) {
        throw new AssertionError("the node exited; see " + log);
      }
      if (port == 0) {
        Matcher up = UP.matcher(readLog());
        if (!up.find()) {
          return false;
        }
        port = Integer.parseInt(up.group(1));
      }
      try {
        return Http.get(base() + "/health/ready").status() == 200;
      } catch (IllegalStateException notYet) {
        return false;
      }
    });
    Http.authorize("127.0.0.1:" + port, TestNodes.login(base(), TestNodes.ADMIN_USER, TestNodes.ADMIN_PASSWORD));
  }

  /** Stops the node; a paused node is killed (it could not run its shutdown), as is one slow to stop. */
  @Override
  public void close() throws InterruptedException {
    if (paused) {
      kill();
      return;
    }
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
