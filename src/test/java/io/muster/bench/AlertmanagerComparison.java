package io.muster.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Muster against Prometheus Alertmanager on the same machine, in the same run, each in a process of
 * its own, loaded from this JVM:
 * <ul>
 *   <li>Muster: trigger ({@code POST /api/v1/incidents}, a playbook that pages one person) → the
 *       first SMS request at the Twilio API (an SMS simulator in this JVM, see {@link MusterNode}),
 *       on H2 (the embedded default) and on PostgreSQL;</li>
 *   <li>Alertmanager: alert ({@code POST /api/v2/alerts}) → the webhook request at a receiver in
 *       this JVM, with {@code group_wait: 0s} and every alert a group of its own
 *       ({@link AlertmanagerNode}).</li>
 * </ul>
 * For each: p50/p99/max of one trigger at a time (after a warm-up), then the highest rate a second
 * it sustains with p99 ≤ 100 ms and nothing lost (open-loop steps, {@link TriggerLoad}), and
 * Muster's ratios to Alertmanager. Run: {@code mvn -B -q -Pbench test-compile exec:java
 * -Dbench.main=io.muster.bench.AlertmanagerComparison}. Options: {@code -Dbench.triggers=500},
 * {@code -Dbench.warmup=1000}, {@code -Dbench.stepSeconds=10}, {@code -Dbench.rates=5,10,20,50,...},
 * {@code -Dbench.db=h2,postgres}, {@code -Dbench.pgUser=root},
 * {@code -Dbench.alertmanager=/usr/bin/prometheus-alertmanager}, {@code -Dbench.nodeJvmArgs="..."},
 * {@code -Dbench.nodeEnv=MUSTER_POLL_MS=250,...} (Muster settings on top of the benchmark's).
 * Without Alertmanager installed ({@code apt-get install prometheus-alertmanager}), Muster's figures
 * alone; without PostgreSQL at 127.0.0.1:5432, H2's alone.
 */
public final class AlertmanagerComparison {
  private AlertmanagerComparison() {
  }

  /** One system's figures; {@code cpuMsPerTrigger}: CPU time per trigger one at a time, -1 if unknown. */
  private record Row(String name, Percentiles latency, double cpuMsPerTrigger, double highestRate) { }

  public static void main(String[] args) throws Exception {
    int count = Integer.getInteger("bench.triggers", 500);
    int warmup = Integer.getInteger("bench.warmup", 1000);
    Duration step = Duration.ofSeconds(Long.getLong("bench.stepSeconds", 10));
    List<Double> rates = Arrays.stream(System.getProperty("bench.rates", "5,10,20,50,100,200,500,1000,2000").split(","))
        .map(String::strip).map(Double::valueOf).toList();
    List<String> databases = List.of(System.getProperty("bench.db", "h2,postgres").split(","));
    Path alertmanager = Path.of(System.getProperty("bench.alertmanager", "/usr/bin/prometheus-alertmanager"));
    String pgUser = System.getProperty("bench.pgUser", "root");
    String jvmArgs = System.getProperty("bench.nodeJvmArgs", "");
    List<String> nodeJvmArgs = jvmArgs.isBlank() ? List.of() : List.of(jvmArgs.trim().split("\\s+"));
    Map<String, String> nodeEnv = new LinkedHashMap<>();
    for (String kv : System.getProperty("bench.nodeEnv", "").split(",")) {
      if (kv.contains("=")) {
        nodeEnv.put(kv.substring(0, kv.indexOf('=')).strip(), kv.substring(kv.indexOf('=') + 1).strip());
      }
    }

    System.out.println("Muster vs Alertmanager: " + Runtime.getRuntime().availableProcessors() + " cores, load average "
        + StartupBenchmark.loadAverage() + "; " + count + " triggers one at a time after " + warmup + " warm-up, then "
        + step.toSeconds() + " s steps at " + rates + " a second" + (nodeEnv.isEmpty() ? "" : "; Muster with " + nodeEnv));
    List<Row> rows = new ArrayList<>();
    if (Files.isExecutable(alertmanager)) {
      rows.add(measure(AlertmanagerNode.start(alertmanager), count, warmup, rates, step));
    } else {
      System.out.println("SKIPPED: Alertmanager: " + alertmanager + " is not installed; Muster's figures only");
    }
    for (String db : databases) {
      if ("postgres".equals(db.strip()) && !postgresReachable(pgUser)) {
        System.out.println("SKIPPED: Muster on PostgreSQL: not reachable at 127.0.0.1:5432 as " + pgUser);
        continue;
      }
      rows.add(measure(MusterNode.start(db.strip(), pgUser, nodeJvmArgs, nodeEnv), count, warmup, rates, step));
    }
    summary(rows);
    System.exit(0);
  }

  private static Row measure(PagingSystem system, int count, int warmup, List<Double> rates, Duration step)
      throws Exception {
    try (system) {
      System.out.println();
      System.out.println(system.name() + " (load average " + StartupBenchmark.loadAverage() + "):");
      TriggerLoad load = new TriggerLoad(system);
      load.oneAtATime(warmup);
      long cpu = system.cpuNanos();
      Percentiles latency = Percentiles.of(load.oneAtATime(count));
      double cpuMs = cpu < 0 ? -1 : (system.cpuNanos() - cpu) / 1e6 / count;
      System.out.println("    one at a time: " + latency.format()
          + (cpuMs < 0 ? "" : String.format("; CPU %.2f ms a trigger", cpuMs)));
      double highest = load.highestWithin(rates, step, System.out);
      return new Row(system.name(), latency, cpuMs, highest);
    }
  }

  private static void summary(List<Row> rows) {
    System.out.println();
    System.out.println("trigger -> first SMS request (Muster) / alert -> webhook request (Alertmanager), one at a time;"
        + " highest rate with p99 <= 100 ms (load average now " + StartupBenchmark.loadAverage() + "):");
    for (Row r : rows) {
      System.out.printf("  %-28s p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms  CPU %5.2f ms a trigger  highest rate %s%n",
          r.name(), Percentiles.ms(r.latency().p50()), Percentiles.ms(r.latency().p99()),
          Percentiles.ms(r.latency().max()), r.cpuMsPerTrigger(),
          r.highestRate() > 0 ? String.format("%.0f/s", r.highestRate()) : "none of the steps");
    }
    Row am = rows.stream().filter(r -> r.name().startsWith("Alertmanager")).findFirst().orElse(null);
    if (am == null) {
      return;
    }
    for (Row r : rows) {
      if (r != am) {
        System.out.printf("  %-28s / Alertmanager: p50 %.1fx, p99 %.1fx, CPU a trigger %.1fx, highest rate %s%n",
            r.name(), (double) r.latency().p50() / am.latency().p50(), (double) r.latency().p99() / am.latency().p99(),
            r.cpuMsPerTrigger() / am.cpuMsPerTrigger(),
            am.highestRate() > 0 ? String.format("%.2fx", r.highestRate() / am.highestRate()) : "n/a");
      }
    }
  }

  private static boolean postgresReachable(String user) {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:5432/test", user, "")) {
      return c.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Alertmanager's configuration for the comparison: every alert its own group ({@code '...'}),
   * sent at once ({@code group_wait: 0s}) to one webhook receiver at {@code webhookUrl}.
   */
  static String config(String webhookUrl) {
    return """
        route:
          receiver: bench
          group_by: ['...']
          group_wait: 0s
          group_interval: 5m
          repeat_interval: 4h
        receivers:
          - name: bench
            webhook_configs:
              - url: '%s'
                send_resolved: false
        """.formatted(webhookUrl);
  }
}
