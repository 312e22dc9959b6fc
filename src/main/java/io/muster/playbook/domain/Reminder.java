package io.muster.playbook.domain;

import java.time.Duration;
import java.util.List;

/** A status-update reminder to {@code to} every {@code every} while the incident is active. */
public record Reminder(List<String> to, Duration every, Template say) {
  public Reminder {
    if (to == null || to.isEmpty()) {
      throw new IllegalArgumentException("to: at least one role or position is required");
    }
    to = List.copyOf(to);
    if (every == null || every.isZero() || every.isNegative()) {
      throw new IllegalArgumentException("every: must be a positive duration such as 30m");
    }
    if (say == null) {
      throw new IllegalArgumentException("say: is required");
    }
  }
}
