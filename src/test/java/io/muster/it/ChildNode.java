package io.muster.it;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Muster node as an operator runs it: {@code io.muster.app.Main} in a JVM of its own, configured
 * through the environment, so that a test can kill it with {@code kill -9} ({@link #kill}), freeze it
 * with {@code SIGSTOP} ({@link #pause}, {@link #resume}) and start another on the same database. It
 * may join a cluster of such nodes ({@link #clusterEnv}). SMS goes to the test's simulator; the
 * node's output goes to a log file under {@code target/}.
 */
final class ChildNode implements AutoCloseable {
  private final Process process;
  private final int port;
  private final File log;
  private volatile boolean paused;

  private ChildNode(Process process, int port, File log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * The environment of a single node on {@code db} at {@code port}, sending through the test
   * simulator, with short poll and lease times and no rate limit on the test administrator.
   */
  static Map<String, String> env(TestNodes nodes, TestDatabase db, int port) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("MUSTER_HTTP_HOST", "127.0.0.1");
    env.put("MUSTER_HTTP_PORT", String.valueOf(port));
    env.put("MUSTER_PUBLIC_BASE_URL", "http://127.0.0.1:" + port);
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
   * {@code base} with cluster mode on: Hazelcast on loopback at {@code clusterPort} joining
   * {@code members} ("127.0.0.1:port" each, this node's included) under the cluster {@code name}, the
   * event bus on any free port, with TLS certificates for {@code certName} from the test JVM's
   * cluster CA (the same CA for every node of the test JVM).
   */
  static Map<String, String> clusterEnv(Map<String, String> base, String name, int clusterPort, List<String> members,
                                        String certName) {
    Map<String, String> env = new LinkedHashMap<>(base);
    io.vertx.core.json.JsonObject tls = TestNodes.tls(certName);
    env.put("MUSTER_NODE_ID", certName);
    env.put("MUSTER_CLUSTER", "true");
    env.put("MUSTER_CLUSTER_NAME", name);
    env.put("MUSTER_CLUSTER_HOST", "127.0.0.1");
    env.put("MUSTER_CLUSTER_PORT", String.valueOf(clusterPort));
    env.put("MUSTER_CLUSTER_MEMBERS", String.join(",", members));
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
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx384m", "-Dhazelcast.logging.type=slf4j", "-cp", classpath, "io.muster.app.Main");
    pb.environment().putAll(env);
    File log = new File("target/" + logName + ".log");
    pb.redirectErrorStream(true).redirectOutput(log);
    Process process = pb.start();
    // Should the test JVM end without its clean-up (a timeout, a crash), no node outlives it.
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
    return new ChildNode(process, Integer.parseInt(env.get("MUSTER_HTTP_PORT")), log);
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

  /** Waits until the node answers ready and signs the test administrator in. */
  void awaitReady() {
    PipelineIT.eventually(Duration.ofSeconds(120), () -> {
      if (!process.isAlive()) {
        throw new AssertionError("the node exited; see " + log);
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
