package io.muster.playbook.domain;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Playbook durations: {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or combined ({@code 1h30m}). */
public final class Durations {
  private static final Pattern WHOLE = Pattern.compile("([0-9]+[dhms])+");
  private static final Pattern PART = Pattern.compile("([0-9]+)([dhms])");

  private Durations() {
  }

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text.strip()).matches()) {
      throw new IllegalArgumentException("'" + text + "' is not a duration such as 30s, 5m, 2h or 1h30m");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text.strip());
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "d" -> Duration.ofDays(n);
        case "h" -> Duration.ofHours(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofSeconds(n);
      });
    }
    return total;
  }

  public static String format(Duration d) {
    if (d == null) {
      return null;
    }
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }
}
