package io.muster.app;

import io.muster.notify.sim.SmsSimulator;
import io.muster.playbook.PlaybookLoader;
import io.muster.roster.RosterLoader;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar muster.jar [-conf config/muster.yaml] [--cluster]}: starts one node. With no
 * Twilio account in the environment it runs the built-in SMS simulator and prints its phone view.
 * {@code java -jar muster.jar lint [FOLDER]}: checks playbooks and exits non-zero on any error.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && "lint".equals(args[0])) {
      System.exit(lint(args));
    }
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

  /**
   * {@code muster lint [FOLDER] [-roster FILE]}: checks every playbook in the folder (default
   * {@code playbooks}) against the roster's roles; prints each problem as file:line: path: reason.
   */
  static int lint(String[] args) {
    Path folder = Path.of("playbooks");
    Path roster = Path.of(MusterConfig.load(Path.of("config/muster.yaml"), System.getenv()).files().roster());
    for (int i = 1; i < args.length; i++) {
      if ("-roster".equals(args[i]) && i + 1 < args.length) {
        roster = Path.of(args[++i]);
      } else {
        folder = Path.of(args[i]);
      }
    }
    try {
      java.util.List<String> problems = PlaybookLoader.lint(folder, RosterLoader.load(roster).roles());
      problems.forEach(System.err::println);
      if (problems.isEmpty()) {
        System.out.println("playbooks in " + folder + ": all clean");
        return 0;
      }
      System.err.println(problems.size() + " problem(s) in " + folder);
      return 1;
    } catch (RuntimeException e) {
      System.err.println(e.getMessage());
      return 1;
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
