package io.muster.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.app.Muster;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The live stream with many clients at once: the node serves websockets on several event loops, and
 * every client, whichever loop it landed on, still gets each event of its facilities exactly once,
 * in journal order, with the same text as every other client that sees it.
 */
class LiveStreamIT {
  private static final String GENERAL = "general";
  private static final String CLINIC = "eastside-clinic";

  private TestDatabase db;
  private TestNodes nodes;
  private Muster node;
  private String base;

  @BeforeEach
  void start() {
    db = TestDatabase.h2();
    nodes = new TestNodes(db);
    node = nodes.start();
    base = TestNodes.baseUrl(node);
  }

  @AfterEach
  void stop() {
    nodes.close();
    db.close();
  }

  @Test
  @DisplayName("eight clients on their own connections: each gets every event of its facilities once, in order, the same text as the others")
  void everyClientEveryEventOnce() {
    String clinic = user("cora", CLINIC);
    List<LiveClient> admins = new ArrayList<>();
    List<LiveClient> clinicians = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        admins.add(LiveClient.connect(node.httpPort(), null));
      }
      for (int i = 0; i < 2; i++) {
        clinicians.add(LiveClient.connect(node.httpPort(), null, LiveClient.ticket(node.httpPort(), clinic)));
      }
      for (int n = 1; n <= 40; n++) {
        update(n % 2 == 0 ? GENERAL : CLINIC, n);
      }
      long last = update(CLINIC, 41);
      for (LiveClient c : admins) {
        c.awaitSeq(last, Duration.ofSeconds(20));
      }
      for (LiveClient c : clinicians) {
        c.awaitSeq(last, Duration.ofSeconds(20));
      }
      List<JsonObject> seen = admins.get(0).events();
      assertThat(marks(seen)).as("every update, once, in the order it was made").isEqualTo(range(1, 41));
      assertInOrder(seen);
      for (LiveClient c : admins) {
        assertThat(c.events()).as("the same events as the first client").isEqualTo(seen);
      }
      List<JsonObject> ofClinic = seen.stream().filter(e -> CLINIC.equals(e.getString("facilityId"))).toList();
      for (LiveClient c : clinicians) {
        assertThat(c.events()).as("the clinic's events only, the same as an administrator's").isEqualTo(ofClinic);
      }
    } finally {
      admins.forEach(LiveClient::close);
      clinicians.forEach(LiveClient::close);
    }
  }

  @Test
  @DisplayName("clients that join with since while updates keep coming get every event after since once, in order, with no gap")
  void joiningWhileUpdatesCome() throws InterruptedException {
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger made = new AtomicInteger();
    try (LiveClient first = LiveClient.connect(node.httpPort(), null)) {
      long since = first.snapshot.getLong("seq");
      Thread updates = new Thread(() -> {
        while (sending.get()) {
          int n = made.incrementAndGet();
          update(n % 2 == 0 ? GENERAL : CLINIC, n);
        }
      }, "updates");
      updates.start();
      List<LiveClient> joined = new ArrayList<>();
      try {
        PipelineIT.eventually("some updates made", Duration.ofSeconds(20), () -> made.get() >= 5);
        for (int i = 0; i < 6; i++) {
          joined.add(LiveClient.connect(node.httpPort(), since));
          int after = made.get();
          PipelineIT.eventually("more updates made", Duration.ofSeconds(20), () -> made.get() >= after + 2);
        }
      } finally {
        sending.set(false);
        updates.join(30_000);
      }
      try {
        long last = update(CLINIC, made.incrementAndGet());
        first.awaitSeq(last, Duration.ofSeconds(20));
        List<JsonObject> all = first.events();
        assertInOrder(all);
        assertThat(marks(all)).as("every update once").isEqualTo(range(1, made.get()));
        for (LiveClient c : joined) {
          c.awaitSeq(last, Duration.ofSeconds(20));
          assertThat(c.events()).as("a client that joined with since=%d", since).isEqualTo(all);
        }
      } finally {
        joined.forEach(LiveClient::close);
      }
    }
  }

  @Test
  @DisplayName("a client that offers permessage-deflate (as browsers do) gets uncompressed frames: the server does not negotiate it")
  void noCompression() {
    Vertx vertx = Vertx.vertx();
    try {
      WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
      WebSocket ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(node.httpPort())
          .setAllowOriginHeader(false).setURI("/ws/live?ticket=" + LiveClient.ticket(node.httpPort()))).await();
      assertThat(ws.headers().get("Sec-WebSocket-Extensions")).as("the handshake's answer").isNull();
      ws.close().await();
    } finally {
      vertx.close().await();
    }
  }

  /** A readiness update through the API (its mark: the PPE days); returns the journal's head after it. */
  private long update(String facility, int mark) {
    Http.Response r = Http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/facilities/" + facility + "/readiness"))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"supplies\":{\"ppe-days\":" + mark + "}}"))
        .header("content-type", "application/json"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return db.count("SELECT MAX(seq) FROM journal");
  }

  private String user(String name, String facility) {
    Http.Response r = Http.postJson(base + "/api/v1/users", new JsonObject().put("username", name)
        .put("password", "password-of-" + name).put("role", "viewer").put("facilities", new JsonArray().add(facility))
        .encode());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return TestNodes.login(base, name, "password-of-" + name);
  }

  /** The marks of the readiness updates among the events, in the order received. */
  private static List<Integer> marks(List<JsonObject> events) {
    return events.stream().filter(e -> "readiness.updated".equals(e.getString("type")))
        .map(e -> Integer.valueOf(e.getJsonObject("payload").getJsonObject("changes").getString("supplies.ppe-days")))
        .toList();
  }

  private static List<Integer> range(int from, int to) {
    return java.util.stream.IntStream.rangeClosed(from, to).boxed().toList();
  }

  private static void assertInOrder(List<JsonObject> events) {
    for (int i = 1; i < events.size(); i++) {
      assertThat(events.get(i).getLong("seq")).as("sequence after %s", events.get(i - 1).getLong("seq"))
          .isGreaterThan(events.get(i - 1).getLong("seq"));
    }
  }
}
