package io.muster.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.store.Journal;
import io.muster.store.JournalEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The dispatcher's hints: this node's committed rows, as its committed events name them. */
class HintsTest {

  @Test
  @DisplayName("queued notifications are taken from committed events, pages before rollcalls, then in order")
  void mostUrgentFirstThenInOrder() {
    Hints hints = new Hints(100);
    assertThat(hints.add(appended(queued("r1", "rollcall"), other(), queued("r2", "rollcall")))).isTrue();
    assertThat(hints.add(appended(queued("p1", "page"), queued("i1", "info")))).isTrue();
    assertThat(hints.add(appended(other()))).as("nothing queued").isFalse();

    assertThat(ids(hints.take(3))).containsExactly("p1", "r1", "r2");
    assertThat(ids(hints.take(3))).containsExactly("i1");
    assertThat(hints.isEmpty()).isTrue();
  }

  @Test
  @DisplayName("hints given back keep their place; beyond the limit new ones are dropped (the poll finds those rows)")
  void giveBackAndLimit() {
    Hints hints = new Hints(3);
    hints.add(appended(queued("a", "rollcall"), queued("b", "rollcall"), queued("c", "rollcall"), queued("d", "rollcall")));
    List<Hints.Hint> taken = hints.take(2);
    hints.add(appended(queued("e", "rollcall")));
    hints.giveBack(taken);
    assertThat(ids(hints.take(10))).containsExactly("a", "b", "c", "e");
  }

  private static List<String> ids(List<Hints.Hint> hints) {
    return hints.stream().map(Hints.Hint::id).toList();
  }

  private static List<JournalEvent> appended(JournalEvent... events) {
    return List.of(events);
  }

  private static JournalEvent queued(String id, String kind) {
    return event("notification.queued", Map.of("notificationId", id, "kind", kind));
  }

  private static JournalEvent other() {
    return event("incident.triggered", Map.of("id", "x"));
  }

  private static JournalEvent event(String type, Map<String, Object> payload) {
    return new JournalEvent(Journal.PROVISIONAL, type, "i", "general", Instant.EPOCH, "test", payload);
  }
}
