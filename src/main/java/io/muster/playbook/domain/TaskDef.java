package io.muster.playbook.domain;

import java.time.Duration;

/** A checklist task: owned by a position, due a while after the incident starts. */
public record TaskDef(String id, Phase phase, String owner, Template text, Duration due, Condition when) {
  public TaskDef {
    if (id == null || !id.matches("[a-z][a-z0-9-]{0,63}")) {
      throw new IllegalArgumentException("id: must be lowercase words joined by dashes, got " + id);
    }
    if (owner == null) {
      throw new IllegalArgumentException("owner: a position is required");
    }
    if (text == null) {
      throw new IllegalArgumentException("do: is required");
    }
    when = when == null ? Condition.ALWAYS : when;
  }
}
