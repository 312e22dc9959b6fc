package io.muster.bench;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A system under comparison: something that takes a trigger over HTTP and, in the end, makes an
 * outbound request the benchmark receives (Muster: the first SMS at the Twilio API; Alertmanager:
 * the webhook). Each trigger carries a key its outbound request carries too.
 */
interface PagingSystem extends AutoCloseable {
  String name();

  /** Sends trigger number {@code n}; completes with the key its outbound request will carry, or fails. */
  CompletableFuture<String> trigger(long n);

  /** When outbound requests arrived, by key. */
  Arrivals arrivals();

  /**
   * CPU time the system has used so far: its process's, and its database server's when it has one
   * of its own on this machine (-1 where that cannot be read).
   */
  long cpuNanos();

  /** Arrival times ({@link System#nanoTime()}) by key; an arrival may come before anyone asks for it. */
  final class Arrivals {
    private final Map<String, CompletableFuture<Long>> byKey = new ConcurrentHashMap<>();

    /** The first arrival for a key counts; later ones (a retry) do not. */
    void arrived(String key, long nanos) {
      byKey.computeIfAbsent(key, k -> new CompletableFuture<>()).complete(nanos);
    }

    CompletableFuture<Long> of(String key) {
      return byKey.computeIfAbsent(key, k -> new CompletableFuture<>());
    }

    void forget(String key) {
      byKey.remove(key);
    }
  }
}
