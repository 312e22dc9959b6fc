package io.muster.store;

import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits on the embedded H2 database reach the database file before they return. H2 writes
 * committed work to its file in the background by default ({@code WRITE_DELAY}, 500 ms), so a
 * crash lost the last moments of answered work: incidents answered {@code 201}, and outbox claims,
 * which made a sent message look unsent. {@code WRITE_DELAY=0} makes each commit store its changes
 * to the file in the committing thread (in H2 2.x: the MVStore's auto-commit delay is 0, and a
 * transaction's end commits the store). The file is written, not forced to the disk (no fsync):
 * this survives the process being killed, not the machine losing power; PostgreSQL does both.
 * The cost: a chunk written per commit (measured 0.05-0.4 ms more per commit than the default),
 * and the file keeps each chunk for H2's retention time (45 s) before its space is reused, so it
 * grows to about (peak commits per second) x 45 s x (chunk size, ~17 KB for a small update) and
 * stays there until H2 compacts it at a clean close.
 */
public final class H2Durability {
  private static final Logger LOG = LoggerFactory.getLogger(H2Durability.class);
  static final String SETTING = "WRITE_DELAY";

  private H2Durability() {
  }

  /**
   * The URL to open: an H2 database on disk without {@code WRITE_DELAY} gets {@code WRITE_DELAY=0};
   * one that sets another value keeps it (the operator chose it) with a warning; other URLs
   * (PostgreSQL, H2 in memory) are returned as they are.
   */
  public static String url(String url) {
    if (!onDisk(url)) {
      return url;
    }
    Optional<String> delay = writeDelay(url);
    if (delay.isEmpty()) {
      return url + ";" + SETTING + "=0";
    }
    if (!"0".equals(delay.get())) {
      LOG.warn("the database URL sets {}={}: H2 writes commits to its file up to that many milliseconds late,"
          + " so a crash can lose incidents already answered 201 and send an SMS twice; remove the setting"
          + " (Muster then uses {}=0)", SETTING, delay.get(), SETTING);
    }
    return url;
  }

  static boolean onDisk(String url) {
    if (!url.startsWith("jdbc:h2:")) {
      return false;
    }
    String rest = url.substring("jdbc:h2:".length()).toLowerCase(Locale.ROOT);
    return !rest.startsWith("mem:") && !rest.startsWith("zip:");
  }

  /** The value of the URL's {@code WRITE_DELAY} setting, if it has one. */
  static Optional<String> writeDelay(String url) {
    String[] parts = url.split(";");
    for (int i = 1; i < parts.length; i++) {
      String[] setting = parts[i].split("=", 2);
      if (setting.length == 2 && SETTING.equalsIgnoreCase(setting[0].strip())) {
        return Optional.of(setting[1].strip());
      }
    }
    return Optional.empty();
  }
}
