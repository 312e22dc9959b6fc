package io.muster.app;

import io.muster.notify.sim.SmsSimulator;
import io.muster.playbook.PlaybookLoader;
import io.muster.roster.RosterLoader;
import io.muster.store.Audit;
import io.muster.store.Db;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar muster.jar [-conf config/muster.yaml] [--cluster]}: starts one node. With no
 * Twilio account in the environment it runs the built-in SMS simulator and prints its phone view.
 * {@code java -jar muster.jar lint [FOLDER]}: checks playbooks and exits non-zero on any error.
 * {@code java -jar muster.jar audit-verify [-conf FILE]}: checks the audit log's hash chain.
 * {@code java -jar muster.jar cluster-certs --out DIR --nodes a,b,c}: a cluster CA and node certificates.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    if (args.length > 0 && "lint".equals(args[0])) {
      System.exit(lint(args));
    }
    if (args.length > 0 && "cluster-certs".equals(args[0])) {
      System.exit(ClusterCerts.run(args, System.out, System.err));
    }
    if (args.length > 0 && "audit-verify".equals(args[0])) {
      Path conf = args.length > 2 && "-conf".equals(args[1]) ? Path.of(args[2]) : Path.of("config/muster.yaml");
      System.exit(auditVerify(MusterConfig.load(conf, System.getenv()), System.out));
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

  /**
   * {@code muster audit-verify [-conf FILE]}: walks the audit log's hash chain in the configured
   * database; prints every edited, inserted or deleted row and exits 1 when there is any.
   */
  public static int auditVerify(MusterConfig config, java.io.PrintStream out) {
    try (Db db = Db.open(config.db().url(), config.db().user(), config.db().password(), 2)) {
      Audit.Verification v = Audit.verify(db);
      v.problems().forEach(p -> out.println("TAMPERED: " + p));
      out.println(v.intact()
          ? "audit log intact: " + v.rows() + " rows, newest hash " + v.headHash()
          : "audit log NOT intact: " + v.problems().size() + " problem(s) in " + v.rows() + " rows");
      return v.intact() ? 0 : 1;
    } catch (RuntimeException e) {
      out.println("cannot verify the audit log: " + e.getMessage());
      return 2;
    }
  }

  private static void announce(Muster muster) {
    String base = muster.config().http().publicBaseUrl();
    StringBuilder out = new StringBuilder()
        .append("\nMuster node ").append(muster.config().nodeId()).append(" is up.\n")
        .append("  Dashboard:      ").append(base).append("/\n")
        .append("  API:            ").append(base).append("/api/v1/incidents\n");
    if (muster.firstAdminPassword() != null) {
      out.append("\n  First start: Muster created the administrator 'admin' with the password\n      ")
          .append(muster.firstAdminPassword())
          .append("\n  Sign in at the dashboard and change it (POST /api/v1/auth/password). It is shown this once.\n\n");
    }
    SmsSimulator simulator = muster.simulator();
    if (simulator != null) {
      out.append("  SMS simulator:  ").append(simulator.baseUrl()).append("/sim/  (no Twilio account set: texts go here)\n");
    }
    System.out.println(out);
  }
}
