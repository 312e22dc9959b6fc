package io.muster.it;

import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node's own committed pages reach its dispatcher in memory: they are claimed and sent at once,
 * not at the dispatcher's next look at the outbox. Here that look comes only every ten minutes.
 */
@Timeout(60)
class DispatchHandoffIT {
  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
  }

  @Test
  @DisplayName("the pages of an incident triggered on a node are sent without waiting for its dispatcher's poll")
  void committedPagesAreSentAtOnce() {
    nodes = TestNodes.on("h2");
    Muster node = nodes.start(new JsonObject().put("dispatch", new JsonObject().put("pollMs", 600_000)));

    JsonObject incident = TestNodes.trigger(TestNodes.baseUrl(node), new JsonObject(PipelineIT.MCI));

    String ref = "[" + incident.getString("ref") + "]";
    eventually(() -> MCI_PHONES.stream().allMatch(p -> nodes.simulator.messagesTo(p).stream()
        .anyMatch(m -> m.body().contains(ref))));
    nodes.awaitOutboxDrained();
    assertThat(nodes.db().count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.sent'"
        + " AND incident_id = '" + incident.getString("id") + "'")).as("each send recorded once").isEqualTo(4);
  }
}
