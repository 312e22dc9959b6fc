package io.muster.playbook.domain;

import java.util.List;

/** Page the staff holding these roles, with this message; {@code ack}: an answer is required. */
public record PageStep(List<String> roles, Template say, boolean ack) {
  public PageStep {
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("roles: at least one role is required");
    }
    roles = List.copyOf(roles);
    if (say == null) {
      throw new IllegalArgumentException("say: is required");
    }
  }
}
