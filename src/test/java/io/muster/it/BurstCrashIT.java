package io.muster.it;

import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.sim.SimMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Part of the fault suite: a node killed with {@code kill -9} in the middle of its work, right after
 * it answered the last of a burst of triggers, while it is still sending their pages; on the
 * embedded default (H2 in a file) and on PostgreSQL. A new node on the same database must find
 * every incident it answered {@code 201}, and every page must reach its person exactly once,
 * counted at the simulator.
 */
@Timeout(300)
class BurstCrashIT {
  private static final int TRIGGERS = 120;
  private static final int CLIENTS = 8;
  private static final String TRIGGER = "{\"type\":\"mass-casualty\",\"facilityId\":\"general\",\"summary\":\"Crash drill\"}";

  private TestDatabase db;
  private TestNodes nodes;
  private ChildNode node;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (node != null) {
      node.close();
    }
    if (nodes != null) {
      nodes.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("kill -9 right after the last 201: every answered incident is there after the restart, one SMS per page")
  void answeredIncidentsSurviveAndNobodyIsPagedTwice(String kind) throws Exception {
    db = TestDatabase.create(kind);
    nodes = new TestNodes(db);   // the simulator; the nodes run in processes of their own
    Map<String, String> env = ChildNode.env(nodes, db);
    // Receipts for pages the killed node sent are posted while no node listens: they are lost, and
    // the provider is asked instead once they are this overdue.
    env.put("MUSTER_RECONCILE_AFTER_SECONDS", "3");
    node = ChildNode.start(env, "crash-" + kind + "-node-before");

    List<String> answered = burst(node.base());
    assertThat(answered).as("every trigger answered 201").hasSize(TRIGGERS);
    node.kill();
    int atKill = nodes.simulator.allMessages().size();

    node = ChildNode.start(env, "crash-" + kind + "-node-after");
    List<JsonArray> pages = new ArrayList<>();
    for (String id : answered) {
      Http.Response r = Http.get(node.base() + "/api/v1/incidents/" + id);
      assertThat(r.status()).as("incident %s, answered 201 before the kill", id).isEqualTo(200);
      pages.add(r.json().getJsonArray("notifications"));
    }
    assertThat(pages).allSatisfy(p -> assertThat(p).hasSize(PipelineIT.MCI_PHONES.size()));

    eventually(Duration.ofSeconds(120), () -> answered.stream().allMatch(this::allDelivered));
    eventually(Duration.ofSeconds(30), () -> node.noSendInFlight());
    Map<String, Long> perPage = nodes.simulator.allMessages().stream()
        .collect(Collectors.groupingBy(m -> m.to() + " " + m.body(), Collectors.counting()));
    List<String> twice = perPage.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    assertThat(twice).as("pages sent more than once (%d SMS were sent before the kill)", atKill).isEmpty();
    assertThat(perPage).as("pages sent").hasSize(TRIGGERS * PipelineIT.MCI_PHONES.size());
    assertThat(nodes.simulator.allMessages().stream().map(SimMessage::to).distinct())
        .containsExactlyInAnyOrderElementsOf(PipelineIT.MCI_PHONES);
  }

  /** {@link #TRIGGERS} triggers from {@link #CLIENTS} clients at once; the ids of those answered 201. */
  private static List<String> burst(String base) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Http.Response>> sent = new ArrayList<>();
      for (int i = 0; i < TRIGGERS; i++) {
        sent.add(clients.submit(() -> Http.postJson(base + "/api/v1/incidents", TRIGGER)));
      }
      List<String> answered = new ArrayList<>();
      for (Future<Http.Response> f : sent) {
        Http.Response r = f.get();
        if (r.status() == 201) {
          answered.add(r.json().getString("id"));
        }
      }
      return answered;
    } finally {
      clients.shutdownNow();
    }
  }

  /** Every page of the incident delivered: its receipt recorded, or reconciled with the provider. */
  private boolean allDelivered(String incidentId) {
    JsonObject detail = Http.get(node.base() + "/api/v1/incidents/" + incidentId).json();
    return detail.getJsonArray("notifications").stream().map(JsonObject.class::cast)
        .map(n -> n.getString("status")).allMatch("delivered"::equals);
  }
}
