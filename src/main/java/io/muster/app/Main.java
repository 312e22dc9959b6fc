package io.muster.app;

import io.muster.sim.SmsSimulator;
import io.muster.playbook.PlaybookLoader;
import io.muster.roster.RosterLoader;
import io.muster.security.AuditCheck;
import io.muster.security.AuditKey;
import io.muster.security.Secrets;
import io.muster.store.Db;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar muster.jar [-conf config/muster.yaml] [--cluster]}: starts one node. With no
 * Twilio account in the environment it runs the built-in SMS simulator and prints its phone view.
 * {@code java -jar muster.jar lint [FOLDER]}: checks playbooks and exits non-zero on any error.
 * {@code java -jar muster.jar audit-verify [-conf FILE] [--checkpoints FILE]...}: checks the audit log's keyed
 * chain and the signed checkpoints.
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
      System.exit(auditVerify(args));
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

  /** {@code muster audit-verify [-conf FILE] [--checkpoints FILE]...}: the arguments, then {@link #auditVerify}. */
  private static int auditVerify(String[] args) {
    Path conf = Path.of("config/muster.yaml");
    java.util.List<Path> checkpoints = new java.util.ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (i + 1 < args.length && ("-conf".equals(args[i]) || "--conf".equals(args[i]))) {
        conf = Path.of(args[++i]);
      } else if (i + 1 < args.length && "--checkpoints".equals(args[i])) {
        checkpoints.add(Path.of(args[++i]));
      } else {
        System.err.println("unknown argument: " + args[i]
            + "\nusage: muster audit-verify [-conf FILE] [--checkpoints FILE]...");
        return 2;
      }
    }
    MusterConfig config = MusterConfig.load(conf, System.getenv());
    if (checkpoints.isEmpty()) {
      checkpoints.add(Path.of(config.security().auditCheckpointFile()));
    }
    return auditVerify(config, checkpoints, System.out);
  }

  /** As {@link #auditVerify(MusterConfig, java.util.List, java.io.PrintStream)} with the configured checkpoint file. */
  public static int auditVerify(MusterConfig config, java.io.PrintStream out) {
    return auditVerify(config, java.util.List.of(Path.of(config.security().auditCheckpointFile())), out);
  }

  /**
   * Checks the audit log in the configured database with the audit key (which it never makes up)
   * and against the checkpoints in {@code checkpoints}; prints every edited, inserted, deleted or
   * removed range of rows and every changed journal event. Exit 0 when intact, 1 when not, 2 when
   * it cannot check.
   */
  public static int auditVerify(MusterConfig config, java.util.List<Path> checkpoints, java.io.PrintStream out) {
    MusterConfig.Security s = config.security();
    MusterConfig.Database d = config.db();
    try (Db db = Db.open(d.url(), d.user(), d.password(), 2, d.ownerUser(), d.ownerPassword())) {
      AuditKey key = AuditKey.of(Secrets.existingAuditKey(s.auditKey(), s.auditKeyFile()));
      AuditCheck.Report r = AuditCheck.verify(db, key, checkpoints);
      r.problems().forEach(p -> out.println("TAMPERED: " + p));
      r.notes().forEach(out::println);
      out.println(r.intact()
          ? "audit log intact: " + r.chain().rows() + " rows, newest hash " + r.chain().headHash()
          : "audit log NOT intact: " + r.problems().size() + " problem(s) in " + r.chain().rows() + " rows");
      return r.intact() ? 0 : 1;
    } catch (RuntimeException e) {
      out.println("cannot verify the audit log: " + e.getMessage());
      return 2;
    }
  }

  /** " (2.1 s after its JVM started)", or nothing where the process's start time is not known. */
  private static String sinceJvmStart() {
    return ProcessHandle.current().info().startInstant()
        .map(started -> String.format(java.util.Locale.ROOT, " (%.1f s after its JVM started)",
            java.time.Duration.between(started, java.time.Instant.now()).toMillis() / 1000.0))
        .orElse("");
  }

  private static void announce(Muster muster) {
    String base = muster.config().http().publicBaseUrl();
    StringBuilder out = new StringBuilder()
        .append("\nMuster node ").append(muster.config().nodeId()).append(" is up").append(sinceJvmStart()).append(".\n")
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
