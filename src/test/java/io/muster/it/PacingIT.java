package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.sim.SimMessage;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three clustered nodes share one send budget: a 600-message call-out at 20 messages per second
 * never has more than 21 in any one-second window at the provider, loses nothing and sends
 * nothing twice.
 */
@Timeout(240)
class PacingIT {
  private static final int PEOPLE = 600;
  private static final double MPS = 20;

  private TestDatabase db;
  private TestNodes nodes;

  @AfterEach
  void tearDown() {
    if (nodes != null) {
      nodes.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  @DisplayName("600 messages at 20 per second across three nodes: no one-second window above 21, each sent once")
  void threeNodesKeepOneBudget() throws IOException {
    db = TestDatabase.postgres();
    // No delivery callbacks: on a two-core machine their load on the shared JVM would delay the
    // simulator's own receipt of messages and blur the very timing this test measures.
    nodes = new TestNodes(db, -1, -1);
    Path roster = roster();
    JsonObject extra = TestNodes.files(roster.toString(), "src/test/resources/it/playbooks-pacing")
        .put("sms", new JsonObject().put("messagesPerSecond", MPS));
    List<Muster> cluster = nodes.startCluster(3, extra);
    warmProvider();

    TestNodes.trigger(TestNodes.baseUrl(cluster.get(0)), "callout", "general", "Pacing test");

    eventually(Duration.ofSeconds(90), () -> outbound().size() >= PEOPLE);
    nodes.awaitOutboxDrained();   // nothing queued or being sent on any node: a second SMS would be here
    List<SimMessage> sent = outbound();
    Map<String, Long> perPhone = sent.stream().collect(Collectors.groupingBy(SimMessage::to, Collectors.counting()));
    assertThat(perPhone).as("everyone once").hasSize(PEOPLE).allSatisfy((phone, n) -> assertThat(n).isEqualTo(1));
    int worst = worstWindow(sent.stream().mapToLong(SimMessage::receivedNanos).sorted().toArray());
    System.out.println("PacingIT: " + sent.size() + " messages, worst one-second window " + worst);
    assertThat(worst).isLessThanOrEqualTo(21);
    long[] times = sent.stream().mapToLong(SimMessage::receivedNanos).sorted().toArray();
    assertThat((times[times.length - 1] - times[0]) / 1e9).as("seconds from first to last: paced, not bursty")
        .isGreaterThanOrEqualTo((PEOPLE - 21) / MPS);
  }

  /**
   * The provider is always warm; the simulator, started in this JVM a moment ago, is not: its
   * first requests are slowed by class loading and compilation, which bunches their receipt times.
   * Warm its create path with the real SDK first, then forget those messages.
   */
  private void warmProvider() {
    try (var gateway = new io.muster.notify.twilio.TwilioSmsGateway(new io.muster.notify.twilio.TwilioSettings(
        TestNodes.ACCOUNT_SID, TestNodes.AUTH_TOKEN, "+15005550006", nodes.simulator.baseUrl()))) {
      for (int i = 0; i < 200; i++) {
        gateway.send(new io.muster.notify.OutboundSms("+16175559999", "warm-up " + i, null));
      }
    }
    nodes.simulator.clear();
  }

  private List<SimMessage> outbound() {
    return nodes.simulator.allMessages().stream().filter(SimMessage::outbound).toList();
  }

  /** The most messages received within any one-second window. */
  static int worstWindow(long[] nanos) {
    int worst = 0;
    int start = 0;
    for (int end = 0; end < nanos.length; end++) {
      while (nanos[end] - nanos[start] >= 1_000_000_000L) {
        start++;
      }
      worst = Math.max(worst, end - start + 1);
    }
    return worst;
  }

  private static Path roster() throws IOException {
    StringBuilder yaml = new StringBuilder("facilities:\n  - {id: general, name: Muster General Hospital, type: hospital}\n"
        + "roles: [rn-pool]\nstaff:\n");
    for (int i = 0; i < PEOPLE; i++) {
      yaml.append("  - {id: rn-").append(i).append(", name: Nurse ").append(i).append(", phone: \"+1617555")
          .append(String.format("%04d", 1000 + i)).append("\", facility: general, roles: [rn-pool]}\n");
    }
    Path file = Path.of("target/pacing-roster.yaml");
    Files.writeString(file, yaml);
    return file;
  }
}
