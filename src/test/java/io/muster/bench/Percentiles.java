package io.muster.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Nearest-rank percentiles of a sample of durations in nanoseconds, printed in milliseconds. */
record Percentiles(int n, long p50, long p99, long max) {
  static Percentiles of(List<Long> nanos) {
    if (nanos.isEmpty()) {
      throw new IllegalArgumentException("nanos: no samples");
    }
    List<Long> sorted = new ArrayList<>(nanos);
    Collections.sort(sorted);
    return new Percentiles(sorted.size(), at(sorted, 50), at(sorted, 99), sorted.get(sorted.size() - 1));
  }

  /** The value at percentile {@code p} (nearest rank) of a sorted list. */
  static long at(List<Long> sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
  }

  static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }

  String format() {
    return String.format("n=%d  p50=%.1f ms  p99=%.1f ms  max=%.1f ms", n, ms(p50), ms(p99), ms(max));
  }
}
