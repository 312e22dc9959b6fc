package io.muster.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
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

  private static JsonObject appended(JsonObject... events) {
    return new JsonObject().put("events", new JsonArray(List.of((Object[]) events)));
  }

  private static JsonObject queued(String id, String kind) {
    return new JsonObject().put("type", "notification.queued")
        .put("payload", new JsonObject().put("notificationId", id).put("kind", kind));
  }

  private static JsonObject other() {
    return new JsonObject().put("type", "incident.triggered").put("payload", new JsonObject().put("id", "x"));
  }
}
