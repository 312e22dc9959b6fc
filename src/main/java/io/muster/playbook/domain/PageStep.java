package io.muster.playbook.domain;

import java.time.Duration;
import java.util.List;

/**
 * Page the staff named by {@code to} (roles, or positions meaning whoever fills them). With an
 * acknowledgement required, the unanswered are paged again {@code repeat} times, {@code every}
 * apart; then the next escalation level is paged, level after level, until someone answers.
 */
public record PageStep(String id, Condition when, List<String> to, Template say, Ack ack) implements Step {

  /**
   * {@code then}: the escalation levels after the first, each a list of roles or positions.
   * {@code call}: when a level goes unanswered, each of its people is also called (voice) once,
   * with "press 1 to acknowledge".
   */
  public record Ack(boolean required, int repeat, Duration every, List<List<String>> then, boolean call) {
    public static final Ack NONE = new Ack(false, 0, null, List.of(), false);

    public Ack(boolean required, int repeat, Duration every, List<List<String>> then) {
      this(required, repeat, every, then, false);
    }

    public Ack {
      if (repeat < 0) {
        throw new IllegalArgumentException("repeat: must be 0 or more");
      }
      if (required && (every == null || every.isZero() || every.isNegative())) {
        throw new IllegalArgumentException("every: an acknowledged page needs a positive wait, such as 5m");
      }
      then = then == null ? List.of() : then.stream().map(List::copyOf).toList();
    }

    /** The roles or positions paged at an escalation level (0: the step's own {@code to}). */
    public List<String> level(PageStep step, int level) {
      return level == 0 ? step.to() : then.get(level - 1);
    }

    public int levels() {
      return then.size() + 1;
    }
  }

  public PageStep {
    if (to == null || to.isEmpty()) {
      throw new IllegalArgumentException("to: at least one role or position is required");
    }
    to = List.copyOf(to);
    if (say == null) {
      throw new IllegalArgumentException("say: is required");
    }
    when = when == null ? Condition.ALWAYS : when;
    ack = ack == null ? Ack.NONE : ack;
  }
}
