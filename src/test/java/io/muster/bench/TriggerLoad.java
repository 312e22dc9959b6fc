package io.muster.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Load on a {@link PagingSystem}, timed from the trigger to the arrival of its outbound request:
 * one trigger at a time (latency), and open-loop steps at a fixed rate (each trigger sent at its
 * planned moment whatever the others are doing, and timed from that moment, so a system that falls
 * behind is seen to).
 */
final class TriggerLoad {
  /** How long after a step's last trigger its arrivals may still come. */
  static final Duration GRACE = Duration.ofSeconds(15);
  static final long LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final PagingSystem system;
  private final AtomicLong next = new AtomicLong(1);

  TriggerLoad(PagingSystem system) {
    this.system = system;
  }

  /** {@code count} triggers one after another, each once the previous one's request arrived. */
  List<Long> oneAtATime(int count) throws Exception {
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      String key = system.trigger(next.getAndIncrement()).get(30, TimeUnit.SECONDS);
      latencies.add(system.arrivals().of(key).get(GRACE.toSeconds(), TimeUnit.SECONDS) - start);
      system.arrivals().forget(key);
    }
    return latencies;
  }

  /** What one step at a fixed rate gave. */
  record Step(double rate, int sent, double sentPerSecond, List<Long> latencies, int missing, Map<String, Integer> errors) {
    boolean within() {
      return missing == 0 && errors.isEmpty() && sentPerSecond >= 0.95 * rate
          && Percentiles.of(latencies).p99() <= LIMIT_NANOS;
    }

    String format() {
      String lat = latencies.isEmpty() ? "no arrivals" : Percentiles.of(latencies).format();
      return String.format("%7.0f/s for %d triggers (sent %.0f/s): %s, missing %d%s -> %s", rate, sent, sentPerSecond,
          lat, missing, errors.isEmpty() ? "" : ", errors " + errors, within() ? "within 100 ms" : "over");
    }
  }

  /** Triggers at {@code rate} a second for {@code length}, then waits up to {@link #GRACE} for their arrivals. */
  Step atRate(double rate, Duration length) throws InterruptedException {
    int count = Math.max(1, (int) Math.round(rate * length.toNanos() / 1e9));
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
    List<CompletableFuture<Long>> results = new ArrayList<>(count);
    long lastSent = start;
    for (int k = 0; k < count; k++) {
      long due = start + (long) (k * 1e9 / rate);
      while (System.nanoTime() < due) {
        LockSupport.parkNanos(due - System.nanoTime());
      }
      lastSent = System.nanoTime();
      results.add(system.trigger(next.getAndIncrement())
          .thenCompose(key -> system.arrivals().of(key).thenApply(at -> {
            system.arrivals().forget(key);
            return at - due;
          })));
    }
    double sentPerSecond = count <= 1 ? rate : (count - 1) / ((lastSent - start) / 1e9);
    return collect(rate, count, sentPerSecond, results);
  }

  private static Step collect(double rate, int count, double sentPerSecond, List<CompletableFuture<Long>> results)
      throws InterruptedException {
    try {
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
      // counted one by one below
    }
    List<Long> latencies = new ArrayList<>();
    Map<String, Integer> errors = new LinkedHashMap<>();
    int missing = 0;
    for (CompletableFuture<Long> r : results) {
      if (!r.isDone()) {
        missing++;
      } else if (r.isCompletedExceptionally()) {
        errors.merge(reason(r), 1, Integer::sum);
      } else {
        latencies.add(r.join());
      }
    }
    return new Step(rate, count, sentPerSecond, latencies, missing, errors);
  }

  private static String reason(CompletableFuture<Long> failed) {
    try {
      failed.join();
      return "none";
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String message = String.valueOf(cause.getMessage());
      return cause.getClass().getSimpleName() + ": " + message.substring(0, Math.min(80, message.length()));
    }
  }

  /**
   * The highest of {@code rates} (ascending) at which the p99 stays within 100 ms with nothing lost,
   * stepping up until a step is over; then once more halfway (geometrically) between the last step
   * within and the first over. Prints each step. 0 when even the first is over.
   */
  double highestWithin(List<Double> rates, Duration length, java.io.PrintStream out) throws InterruptedException {
    double best = 0;
    for (double rate : rates) {
      Step step = atRate(rate, length);
      out.println("    " + step.format());
      settle();
      if (!step.within()) {
        if (best > 0) {
          double between = Math.round(Math.sqrt(best * rate));
          if (between > best && between < rate) {
            Step middle = atRate(between, length);
            out.println("    " + middle.format());
            settle();
            best = middle.within() ? between : best;
          }
        }
        return best;
      }
      best = rate;
    }
    return best;
  }

  /** Lets receipts, callbacks and collections of the step before end before the next one starts. */
  private static void settle() throws InterruptedException {
    Thread.sleep(2000);
  }
}
