package io.muster.playbook.domain;

import java.util.Locale;

/** What a durable timer does when it fires. */
public enum TimerKind {
  /** A page step's wait for an acknowledgement ran out: page again, or the next level. */
  ESCALATE,
  /** A rollcall's widening delay ran out: ask more roles if the need is not met. */
  WIDEN,
  /** A task's due time: page its owner if it is not done. */
  TASK_DUE,
  /** Time for the incident commander's status update. */
  REMINDER;

  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  public static TimerKind of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT).replace('-', '_'));
  }
}
