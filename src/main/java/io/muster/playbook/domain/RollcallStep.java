package io.muster.playbook.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Ask staff whether they can come, with numbered answers. An answer with an ETA counts toward the
 * need; a later answer from the same person replaces the earlier one. While the need is not met,
 * each widening asks more roles after its delay; once it is met nobody further is asked.
 */
public record RollcallStep(String id, Condition when, List<String> to, Template ask, Map<Integer, Answer> answers,
                           int need, List<Widen> widen) implements Step {

  /** A numbered answer; {@code eta} null means "cannot come". */
  public record Answer(String label, Duration eta) {
    public boolean yes() {
      return eta != null;
    }
  }

  /** After {@code after} from the start, if the need is not met, ask {@code to} as well. */
  public record Widen(Duration after, List<String> to) { }

  public RollcallStep {
    if (to == null || to.isEmpty()) {
      throw new IllegalArgumentException("to: at least one role or position is required");
    }
    to = List.copyOf(to);
    if (ask == null) {
      throw new IllegalArgumentException("ask: is required");
    }
    if (answers == null || answers.size() < 2) {
      throw new IllegalArgumentException("answers: at least two numbered answers are required");
    }
    if (answers.values().stream().noneMatch(Answer::yes)) {
      throw new IllegalArgumentException("answers: at least one answer needs an eta (a yes)");
    }
    answers = new TreeMap<>(answers);
    if (need < 1) {
      throw new IllegalArgumentException("need: must be 1 or more");
    }
    when = when == null ? Condition.ALWAYS : when;
    widen = widen == null ? List.of() : List.copyOf(widen);
  }

  /** "1 = Yes, within 30 min; 2 = …", appended to the question. */
  public String menu() {
    StringBuilder menu = new StringBuilder();
    answers.forEach((n, a) -> menu.append(menu.length() == 0 ? "" : ", ").append(n).append(" = ").append(a.label()));
    return "Reply " + menu;
  }
}
