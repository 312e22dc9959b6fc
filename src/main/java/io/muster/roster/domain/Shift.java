package io.muster.roster.domain;

import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A daily shift in the facility's local time, such as {@code 07:00-19:00} or {@code 19:00-07:00}. */
public record Shift(LocalTime from, LocalTime to) {
  private static final Pattern FORM = Pattern.compile("([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])");

  public Shift {
    if (from == null || to == null || from.equals(to)) {
      throw new IllegalArgumentException("shift: must start and end at different times");
    }
  }

  public static Shift parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("shift: '" + text + "' is not a daily shift such as 07:00-19:00");
    }
    return new Shift(LocalTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))),
        LocalTime.of(Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))));
  }

  /** Whether the shift covers this moment at the facility; a night shift runs past midnight. */
  public boolean covers(Instant at, ZoneId zone) {
    LocalTime t = at.atZone(zone).toLocalTime();
    return from.isBefore(to) ? !t.isBefore(from) && t.isBefore(to) : !t.isBefore(from) || t.isBefore(to);
  }

  @Override
  public String toString() {
    return from + "-" + to;
  }
}
