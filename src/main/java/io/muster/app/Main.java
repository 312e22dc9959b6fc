package io.muster.app;

import io.muster.notify.sim.SmsSimulator;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar muster.jar [-conf config/muster.yaml] [--cluster]}: starts one node. With no
 * Twilio account in the environment it runs the built-in SMS simulator and prints its phone view.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    Path file = Path.of("config/muster.yaml");
    boolean cluster = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-conf", "--conf" -> file = Path.of(args[++i]);
        case "--cluster" -> cluster = true;
        default -> {
          System.err.println("unknown argument: " + args[i] + "\nusage: muster [-conf FILE] [--cluster]");
          System.exit(2);
        }
      }
    }
    java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
    if (cluster) {
      env.put("MUSTER_CLUSTER", "true");
    }
    MusterConfig config;
    try {
      config = MusterConfig.load(file, env);
    } catch (IllegalArgumentException e) {
      System.err.println("Muster cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    try {
      Muster muster = Muster.start(config).await();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> muster.stop().await()));
      announce(muster);
    } catch (Exception e) {
      LOG.error("Muster cannot start: {}", e.getMessage());
      System.exit(1);
    }
  }

  private static void announce(Muster muster) {
    String base = muster.config().http().publicBaseUrl();
    StringBuilder out = new StringBuilder()
        .append("\nMuster node ").append(muster.config().nodeId()).append(" is up.\n")
        .append("  Dashboard:      ").append(base).append("/\n")
        .append("  API:            ").append(base).append("/api/v1/incidents\n");
    SmsSimulator simulator = muster.simulator();
    if (simulator != null) {
      out.append("  SMS simulator:  ").append(simulator.baseUrl()).append("/sim/  (no Twilio account set: texts go here)\n");
    }
    System.out.println(out);
  }
}
