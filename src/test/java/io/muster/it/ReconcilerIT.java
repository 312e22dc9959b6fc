package io.muster.it;

import io.muster.app.Features;
import io.muster.it.TestFeatures;
import io.muster.sim.TwilioSigner;
import static io.muster.it.PipelineIT.MCI_PHONES;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.muster.incident.domain.TriggerIncident;
import io.muster.notify.Inbox;
import io.muster.notify.Reconciler;
import io.muster.notify.twilio.TwilioSignature;
import io.muster.store.Db;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Delivery receipts that never arrive (the simulator drops them, as when they went to a node that
 * died) or that arrive while the database is down: the reconciler asks the provider once the
 * configured age has passed, and records what it says once, as the status webhook would.
 */
@Timeout(120)
class ReconcilerIT {
  private TestNodes nodes;
  private String base;
  private String pgName;

  @AfterEach
  void tearDown() {
    if (pgName != null) {
      admin("ALTER DATABASE " + pgName + " WITH ALLOW_CONNECTIONS true");
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("receipts lost: unknown in the incident's view past the age, then recorded delivered once, from a lookup")
  void lostReceiptsAreLookedUp(String kind) {
    nodes = TestNodes.on(kind, 5, 4_000);   // delivered 4 s after it was sent
    nodes.simulator.faults().dropCallbacks(true);
    start(2);
    JsonObject incident = trigger();
    String id = incident.getString("id");

    assertThat(detail(id).getInteger("deliveriesUnknown")).as("nothing is overdue right after the trigger").isZero();
    AtomicReference<JsonObject> overdue = new AtomicReference<>();
    eventually(Duration.ofSeconds(20), () -> {
      overdue.set(detail(id));
      return overdue.get().getInteger("deliveriesUnknown") == 4;
    });
    assertThat(overdue.get().getJsonArray("notifications").stream().map(JsonObject.class::cast))
        .allSatisfy(n -> assertThat(n.getString("status")).isEqualTo("sent"))
        .allSatisfy(n -> assertThat(n.getBoolean("deliveryUnknown")).isTrue());

    eventually(Duration.ofSeconds(30), () -> detail(id).getJsonArray("notifications").stream()
        .map(JsonObject.class::cast).allMatch(n -> "delivered".equals(n.getString("status"))));
    JsonObject after = detail(id);
    assertThat(after.getInteger("deliveriesUnknown")).isZero();
    assertThat(after.getJsonArray("notifications").stream().map(JsonObject.class::cast))
        .noneMatch(n -> n.getBoolean("deliveryUnknown"));
    assertDeliveredOnceByLookup(id, 4);
    assertThat(nodes.simulator.allMessages()).hasSize(4);
  }

  @ParameterizedTest(name = "on {0}")
  @ValueSource(strings = {"h2", "postgres"})
  @DisplayName("a row is claimed by one node at a time, and again only at its next turn")
  void oneNodeAsksAtATime(String kind) {
    nodes = TestNodes.on(kind);
    try (Db db = Db.open(nodes.db().url, nodes.db().user, "", 2)) {
      Features features = TestFeatures.on(db);
      String id = features.incidents().trigger(
          new TriggerIncident("mass-casualty", "general", "Lost receipts", null, false), null, "test").incident().id();
      Instant sentAt = Instant.now().minusSeconds(30);
      db.tx(c -> Db.update(c, "UPDATE notification SET status = 'sent', provider_sid = CONCAT('SM', id),"
          + " sent_at = ?, status_at = ? WHERE incident_id = ?", Db.ts(sentAt), Db.ts(sentAt), id));
      Inbox inbox = features.inbox();
      Reconciler nodeA = new Reconciler(db, Clock.systemUTC(), Duration.ofSeconds(10), inbox);
      Reconciler nodeB = new Reconciler(db, Clock.systemUTC(), Duration.ofSeconds(10), inbox);
      Reconciler nodeBLater = new Reconciler(db, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(31)),
          Duration.ofSeconds(10), inbox);

      assertThat(nodeA.claim(50)).hasSize(4);
      assertThat(nodeB.claim(50)).as("claimed by A: B does not ask").isEmpty();
      assertThat(new Reconciler(db, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(31)), Duration.ofSeconds(100),
          inbox).claim(50)).as("their turn has come, but they are younger than this node's age").isEmpty();
      assertThat(nodeBLater.claim(50)).as("after as long as they had waited (30 s): asked again").hasSize(4);
      assertThat(nodeB.claim(50)).isEmpty();
    }
  }

  @Test
  @DisplayName("a receipt refused with 503 while PostgreSQL is down is recorded by the reconciler once it is back")
  void receiptRefusedDuringOutageIsReconciled() {
    nodes = TestNodes.on("postgres");
    nodes.simulator.faults().dropCallbacks(true);
    start(3);
    JsonObject incident = trigger();
    String id = incident.getString("id");
    eventually(() -> detail(id).getJsonArray("notifications").stream().map(JsonObject.class::cast)
        .allMatch(n -> "sent".equals(n.getString("status"))));
    String notificationId = detail(id).getJsonArray("notifications").getJsonObject(0).getString("id");
    String sid = nodes.simulator.allMessages().get(0).sid();

    pgName = nodes.db().url.substring(nodes.db().url.lastIndexOf('/') + 1);
    admin("ALTER DATABASE " + pgName + " WITH ALLOW_CONNECTIONS false");
    admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + pgName + "'");
    Http.Response refused = postStatus("/webhooks/twilio/status?n=" + notificationId, sid, "delivered");
    assertThat(refused.status()).as(refused.body()).isEqualTo(503);
    admin("ALTER DATABASE " + pgName + " WITH ALLOW_CONNECTIONS true");
    pgName = null;

    eventually(Duration.ofSeconds(40), () -> nodes.db().count("SELECT COUNT(*) FROM notification WHERE incident_id = '"
        + id + "' AND status = 'delivered'") == 4);
    assertDeliveredOnceByLookup(id, 4);
  }

  private Muster start(int reconcileAfterSeconds) {
    Muster node = nodes.start(new JsonObject()
        .put("sms", new JsonObject().put("reconcileAfterSeconds", reconcileAfterSeconds))
        .put("dispatch", new JsonObject().put("pollMs", 100)));
    base = TestNodes.baseUrl(node);
    return node;
  }

  private JsonObject trigger() {
    return TestNodes.trigger(base, "mass-casualty", "general", "Receipts lost");
  }

  private JsonObject detail(String id) {
    return Http.get(base + "/api/v1/incidents/" + id).json();
  }

  /** One notification.status event per notification, delivered, from a lookup. */
  private void assertDeliveredOnceByLookup(String incidentId, int notifications) {
    List<JsonObject> events = detail(incidentId).getJsonArray("timeline").stream().map(JsonObject.class::cast)
        .filter(e -> "notification.status".equals(e.getString("type"))).toList();
    Map<String, Long> perNotification = events.stream().collect(Collectors.groupingBy(
        e -> e.getJsonObject("payload").getString("notificationId"), Collectors.counting()));
    assertThat(perNotification).hasSize(notifications).allSatisfy((n, count) -> assertThat(count).as(n).isEqualTo(1));
    assertThat(events).allSatisfy(e -> {
      assertThat(e.getJsonObject("payload").getString("status")).isEqualTo("delivered");
      assertThat(e.getJsonObject("payload").getBoolean("lookedUp")).isTrue();
    });
    assertThat(nodes.db().count("SELECT COUNT(*) FROM journal WHERE event_type = 'notification.status'"
        + " AND incident_id = '" + incidentId + "'")).isEqualTo(notifications);
  }

  private Http.Response postStatus(String pathAndQuery, String sid, String status) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("MessageSid", sid);
    params.put("AccountSid", TestNodes.ACCOUNT_SID);
    params.put("From", "+15005550006");
    params.put("To", MCI_PHONES.iterator().next());
    params.put("MessageStatus", status);
    params.put("ApiVersion", "2010-04-01");
    String signature = TwilioSigner.sign(TestNodes.AUTH_TOKEN, base + pathAndQuery, params);
    String form = params.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
            + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return Http.post(base + pathAndQuery, "application/x-www-form-urlencoded", form, TwilioSignature.HEADER, signature);
  }

  private static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(TestDatabase.PG_ADMIN_URL, TestDatabase.PG_USER, "");
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
