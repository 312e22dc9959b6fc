package io.muster.it;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Muster node as an operator runs it: {@code io.muster.app.Main} in a JVM of its own, configured
 * through the environment, so that a test can kill it with {@code kill -9} ({@link #kill}) and
 * start another on the same database. SMS goes to the test's simulator; the node's output goes to
 * a log file under {@code target/}.
 */
final class ChildNode implements AutoCloseable {
  private final Process process;
  private final int port;
  private final File log;

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

  /** Starts the node and waits until it is ready and the test administrator is signed in. */
  static ChildNode start(Map<String, String> env, String logName) throws IOException {
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Xmx384m", "-Dhazelcast.logging.type=slf4j", "-cp", classpath, "io.muster.app.Main");
    pb.environment().putAll(env);
    File log = new File("target/" + logName + ".log");
    pb.redirectErrorStream(true).redirectOutput(log);
    ChildNode node = new ChildNode(pb.start(), Integer.parseInt(env.get("MUSTER_HTTP_PORT")), log);
    node.awaitReady();
    return node;
  }

  String base() {
    return "http://127.0.0.1:" + port;
  }

  /** {@code kill -9}: the JVM gets no chance to close anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
  }

  private void awaitReady() {
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

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
