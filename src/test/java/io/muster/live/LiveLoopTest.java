package io.muster.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.muster.readiness.domain.ReadinessEvent;
import io.muster.security.Principal;
import io.muster.security.Role;
import io.muster.store.AsyncDb;
import io.muster.store.Db;
import io.muster.store.Journal;
import io.muster.store.NewEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live stream's delivery on an event loop, with sockets that record what they are sent: each
 * event is encoded once (every client that sees it is sent the very same text), a client sees its
 * facilities only, and a client whose write queue is full is closed with the sequence to resume from.
 */
class LiveLoopTest {
  private static final Principal ADMIN = new Principal("u-admin", "admin", Principal.Kind.USER, Role.ADMIN, List.of("*"));
  private static final Principal CLINIC = new Principal("u-cora", "cora", Principal.Kind.USER, Role.VIEWER,
      List.of("eastside-clinic"));

  @TempDir
  Path dir;
  private Vertx vertx;
  private Db db;
  private LiveLoop loop;

  /** A websocket that records what it is sent; its write queue is full once it holds {@code room} messages. */
  private static final class Socket {
    final List<String> texts = new CopyOnWriteArrayList<>();
    volatile int room = Integer.MAX_VALUE;
    volatile Short closedWith;
    volatile String reason;
    final ServerWebSocket socket = (ServerWebSocket) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {ServerWebSocket.class}, (proxy, method, args) -> switch (method.getName()) {
          case "writeTextMessage" -> {
            texts.add((String) args[0]);
            yield Future.succeededFuture();
          }
          case "writeQueueFull" -> texts.size() >= room;
          case "isClosed" -> closedWith != null;
          case "close" -> {
            closedWith = (Short) args[0];
            reason = (String) args[1];
            yield Future.succeededFuture();
          }
          case "closeHandler", "exceptionHandler" -> proxy;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> null;
        });

    List<JsonObject> events() {
      return texts.stream().map(JsonObject::new).filter(m -> "event".equals(m.getString("kind"))).toList();
    }

    boolean caughtUp() {
      return texts.stream().anyMatch(t -> t.contains("\"kind\":\"caught-up\""));
    }
  }

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    db = Db.open("jdbc:h2:file:" + dir.resolve("muster"), "sa", "", 4);
    AsyncDb async = new AsyncDb(vertx, db, 4);
    LiveHub hub = new LiveHub(vertx, async, () -> new JsonObject().put("seq", db.tx(Journal::head))
        .put("incidents", new JsonArray()), "node-a", Set.of());
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        return hub.start(20).compose(v -> hub.join()).onSuccess(joined -> loop = joined);
      }
    }).await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
    db.close();
  }

  @Test
  @DisplayName("every client that sees an event is sent the same text; a clinic's user only the clinic's events, in order")
  void oneTextForAll() {
    Socket first = attach(ADMIN, null);
    Socket second = attach(ADMIN, null);
    Socket clinic = attach(CLINIC, null);
    await().atMost(Duration.ofSeconds(10)).until(() -> first.caughtUp() && second.caughtUp() && clinic.caughtUp());
    append("general", "eastside-clinic", "general", "eastside-clinic", "eastside-clinic");
    await().atMost(Duration.ofSeconds(10)).until(() -> first.events().size() == 5 && clinic.events().size() == 3);
    List<String> texts = eventTexts(first);
    assertThat(eventTexts(second)).hasSize(5);
    for (int i = 0; i < 5; i++) {
      assertThat(eventTexts(second).get(i)).as("event %d: the same text, encoded once", i).isSameAs(texts.get(i));
    }
    assertThat(clinic.events()).extracting(e -> e.getString("facilityId")).containsOnly("eastside-clinic");
    assertThat(eventTexts(clinic)).containsExactly(texts.get(1), texts.get(3), texts.get(4));
    assertThat(first.events()).extracting(e -> e.getLong("seq")).isSorted().doesNotHaveDuplicates();
  }

  @Test
  @DisplayName("a live client whose write queue is full is closed with 1011 and the sequence it has; it had each event before once")
  void slowClientClosedWithItsSequence() {
    Socket slow = attach(ADMIN, null);
    await().atMost(Duration.ofSeconds(10)).until(slow::caughtUp);
    slow.room = slow.texts.size() + 2;
    List<Long> seqs = append("general", "general", "general", "general");
    await().atMost(Duration.ofSeconds(10)).until(() -> slow.closedWith != null);
    assertThat(slow.closedWith).isEqualTo((short) 1011);
    assertThat(slow.reason).isEqualTo("too slow; reconnect with since=" + seqs.get(1));
    assertThat(slow.events()).extracting(e -> e.getLong("seq")).containsExactly(seqs.get(0), seqs.get(1));
  }

  @Test
  @DisplayName("a client that asks for the events since a sequence gets the later ones from the journal, then the live ones, once each")
  void catchUpThenLive() {
    List<Long> before = append("general", "eastside-clinic", "general");
    Socket late = attach(ADMIN, before.get(0));
    await().atMost(Duration.ofSeconds(10)).until(late::caughtUp);
    List<Long> after = append("general", "general");
    await().atMost(Duration.ofSeconds(10)).until(() -> late.events().size() == 4);
    assertThat(late.events()).extracting(e -> e.getLong("seq"))
        .containsExactly(before.get(1), before.get(2), after.get(0), after.get(1));
  }

  private Socket attach(Principal principal, Long since) {
    Socket s = new Socket();
    loop.context().runOnContext(v -> loop.attach(s.socket, since, principal));
    return s;
  }

  /**
   * Readiness updates at these facilities, one transaction each; their sequences (one writer: each
   * transaction's event is the head once the transaction has returned, numbered).
   */
  private List<Long> append(String... facilities) {
    return java.util.Arrays.stream(facilities).map(f -> {
      db.tx(c -> Journal.append(c, Instant.now(), List.of(new NewEvent(
          new ReadinessEvent.Updated(f, Map.of("supplies.ppe-days", "3"), "test"), null, "test"))));
      return db.tx(Journal::head);
    }).toList();
  }

  private static List<String> eventTexts(Socket s) {
    return s.texts.stream().filter(t -> t.contains("\"kind\":\"event\"")).toList();
  }
}
