package io.muster.security;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token buckets, one per key (a user, a machine key, an address): {@code perSecond} refill up to
 * {@code burst}. Per node: behind a load balancer the cluster's budget is the nodes' sum.
 */
public final class RateLimiter {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanos;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  public RateLimiter(double perSecond, int burst, LongSupplier nanos) {
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
    this.nanos = nanos;
  }

  /** 0 when the request may go ahead, else the whole seconds to wait before the next one will. */
  public long take(String key) {
    long now = nanos.getAsLong();
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - b.tokens) / perSecond));
    }
  }

  /** Like {@link #take}, without taking: 0 when a request would go ahead now. */
  public long waitSeconds(String key) {
    Bucket b = buckets.get(key);
    if (b == null) {
      return 0;
    }
    long now = nanos.getAsLong();
    synchronized (b) {
      double tokens = Math.min(burst, b.tokens + (now - b.at) / 1e9 * perSecond);
      return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
    }
  }

  /** Forgets buckets that have refilled (run now and then, so idle keys do not pile up). */
  public void sweep() {
    long now = nanos.getAsLong();
    buckets.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return e.getValue().tokens + (now - e.getValue().at) / 1e9 * perSecond >= burst;
      }
    });
  }
}
