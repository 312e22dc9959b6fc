package io.muster.it;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** A real websocket client on {@code /ws/live}, collecting what the node sends. */
public final class LiveClient implements AutoCloseable {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
  private final List<JsonObject> events = new ArrayList<>();
  private final WebSocket socket;
  public JsonObject snapshot;
  /** The sequence of the stream's newest caught-up mark, when one came. */
  public volatile Long caughtUp;
  private Long since;

  private LiveClient(String url) {
    socket = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
        .buildAsync(URI.create(url), new Listener()).join();
  }

  /**
   * Connects to {@code /ws/live} with a fresh ticket (signed in as the node's test admin), with
   * {@code since} when not null, and waits for the snapshot.
   */
  public static LiveClient connect(int port, Long since) {
    return connect(port, since, ticket(port));
  }

  /** Connects with the given ticket and waits for the snapshot. */
  public static LiveClient connect(int port, Long since, String ticket) {
    LiveClient client = new LiveClient("ws://127.0.0.1:" + port + "/ws/live?ticket=" + ticket
        + (since == null ? "" : "&since=" + since));
    client.since = since;
    client.snapshot = client.next(Duration.ofSeconds(10));
    if (!"snapshot".equals(client.snapshot.getString("kind"))) {
      throw new AssertionError("the first message was not a snapshot: " + client.snapshot);
    }
    return client;
  }

  /** A single-use websocket ticket from the node, for its signed-in test admin. */
  public static String ticket(int port) {
    return ticket(port, Http.token("127.0.0.1:" + port));
  }

  /** A single-use websocket ticket for the holder of the access token. */
  public static String ticket(int port, String token) {
    Http.Response r = Http.postJson("http://127.0.0.1:" + port + "/api/v1/auth/ws-ticket", "",
        "Authorization", "Bearer " + token);
    if (r.status() != 200) {
      throw new AssertionError("no websocket ticket: " + r.status() + " " + r.body());
    }
    return r.json().getString("ticket");
  }

  /** Waits for the next snapshot or event (the stream's heartbeats and caught-up marks are noted, not returned). */
  public JsonObject next(Duration timeout) {
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      JsonObject m = received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      while (m != null && ("heartbeat".equals(m.getString("kind")) || "caught-up".equals(m.getString("kind")))) {
        if ("caught-up".equals(m.getString("kind"))) {
          caughtUp = m.getLong("seq");
        }
        m = received.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      if (m == null) {
        throw new AssertionError("no message within " + timeout);
      }
      if ("event".equals(m.getString("kind"))) {
        events.add(m);
      }
      return m;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Reads events until one matches; returns it. */
  public JsonObject awaitEvent(Predicate<JsonObject> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("no matching event within " + timeout + "; got " + events.size() + " events");
      }
      JsonObject m = next(Duration.ofNanos(left));
      if (match.test(m)) {
        return m;
      }
    }
  }

  /**
   * The first event of this type (and incident, unless null) that matches, among those received so
   * far or within the timeout. Unlike {@link #awaitEvent}, earlier events count too.
   */
  public JsonObject first(String incidentId, String type, Predicate<JsonObject> match, Duration timeout) {
    Predicate<JsonObject> all = e -> type.equals(e.getString("type"))
        && (incidentId == null || incidentId.equals(e.getString("incidentId"))) && match.test(e);
    try {
      return Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(25))
          .until(() -> events().stream().filter(all).findFirst(), java.util.Optional::isPresent).orElseThrow();
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("no " + type + " event within " + timeout + "; got "
          + events().stream().map(ev -> ev.getString("type")).toList());
    }
  }

  /**
   * Waits until this client has received every event up to {@code seq} (the journal's head when the
   * caller asked): the positive signal that an event the journal does not hold by then will not be
   * seen here either.
   */
  public void awaitSeq(long seq, Duration timeout) {
    PipelineIT.eventually("the live stream up to sequence " + seq, timeout, () -> lastSeq() >= seq);
  }

  public JsonObject awaitType(String type, Duration timeout) {
    return awaitEvent(e -> type.equals(e.getString("type")), timeout);
  }

  /** Every event received so far, in order. */
  public List<JsonObject> events() {
    received.drainTo(new ArrayList<>() {
      @Override
      public boolean add(JsonObject m) {
        if ("event".equals(m.getString("kind"))) {
          events.add(m);
        } else if ("caught-up".equals(m.getString("kind"))) {
          caughtUp = m.getLong("seq");
        }
        return true;
      }
    });
    return List.copyOf(events);
  }

  /** The newest sequence seen: the last event's, else where the stream started. */
  public long lastSeq() {
    List<JsonObject> all = events();
    if (!all.isEmpty()) {
      return all.get(all.size() - 1).getLong("seq");
    }
    return since != null ? since : snapshot.getLong("seq");
  }

  @Override
  public void close() {
    socket.abort();
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        received.add(new JsonObject(partial.toString()));
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }
  }
}
