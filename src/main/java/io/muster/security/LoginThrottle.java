package io.muster.security;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Growing delays after wrong passwords in a row: the first {@link #FREE} cost nothing, then sign-in
 * is refused for 1 s, 2 s, 4 s … up to {@link #MAX} without the password being looked at. Accounts
 * keep their count in the database (every node sees it); names that match no account are counted
 * here, per node, so that a lockout answer does not tell whether an account exists.
 */
public final class LoginThrottle {
  static final int FREE = 5;
  static final Duration MAX = Duration.ofMinutes(15);
  private static final int MAX_NAMES = 10_000;

  private final ConcurrentHashMap<String, Failures> names = new ConcurrentHashMap<>();

  private record Failures(int count, Instant lockedUntil) { }

  /** How long sign-in stays refused after this many wrong passwords in a row. */
  public static Duration lockAfter(int failures) {
    if (failures < FREE) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - FREE, 20);
    Duration lock = Duration.ofSeconds(1L << doublings);
    return lock.compareTo(MAX) > 0 ? MAX : lock;
  }

  /** Seconds until this name may try again (0: now). */
  long waitSeconds(String name, Instant now) {
    Failures f = names.get(name);
    if (f == null || f.lockedUntil() == null || !f.lockedUntil().isAfter(now)) {
      return 0;
    }
    return Math.max(1, Duration.between(now, f.lockedUntil()).toSeconds() + 1);
  }

  void failed(String name, Instant now) {
    if (names.size() > MAX_NAMES) {
      names.clear();
    }
    names.compute(name, (k, f) -> {
      int count = f == null ? 1 : f.count() + 1;
      Duration lock = lockAfter(count);
      return new Failures(count, lock.isZero() ? null : now.plus(lock));
    });
  }
}
