package io.muster.bench;

import io.muster.it.Http;
import io.muster.it.TestNodes;
import io.muster.sim.SimMessage;
import io.muster.sim.SimulatorConfig;
import io.muster.sim.SmsSimulator;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A soak: steady load for a long time, with the node JVM's memory and the pipeline's latency
 * printed every minute, and a check at the end that nothing was lost.
 *
 * <p>The nodes run in a child JVM ({@link NodeProcess}); the load generator, the websocket reader
 * and the SMS simulator run here, so the node's heap and RSS are Muster's alone (the simulator
 * keeps every message it accepted, which would look like a leak in the node's heap). The load:
 * mass-casualty drills triggered at a steady rate (4 pages each), each acknowledged by SMS ("1 REF"
 * from a paged phone, as the simulator's signed inbound webhook) a couple of seconds after its
 * first page, and resolved a little after that acknowledgement reached the websocket (4 all-clears); readiness PATCHes alongside; the
 * simulator's "sent" and "delivered" callbacks for every message.
 *
 * <p>Run: {@code mvn -B -q -Pbench test-compile exec:java -Dbench.main=io.muster.bench.Soak}, with
 * {@code -Dsoak.minutes=30 -Dsoak.rate=2 -Dsoak.db=h2|postgres -Dsoak.nodes=1|2 -Dsoak.readinessRate=2
 * -Dsoak.ackDelayMs=2000 -Dsoak.resolveAfterMs=10000 -Dsoak.nodeJvmArgs="-Xms512m -Xmx512m -XX:+AlwaysPreTouch"}
 * (the defaults shown; resolveAfterMs counts from the acknowledgement seen on the websocket).
 * Exits 1 when anything was lost: a trigger never answered, an incident missing, a page or
 * all-clear not sent exactly once per paged phone (counted at the simulator), an acknowledgement
 * that never reached the websocket.
 */
public final class Soak {
  private static final Pattern REF = Pattern.compile("\\[([A-Z0-9]{5})]");
  private static final Path DIR = Path.of("target/soak");
  private static final int ATTEMPTS = 3;
  private static final long MB = 1024 * 1024;

  /** The options, from system properties. */
  record Options(int minutes, double rate, String db, int nodes, double readinessRate, long ackDelayMs,
                 long resolveAfterMs, List<String> nodeJvmArgs) {
    Options {
      if (minutes < 1) {
        throw new IllegalArgumentException("soak.minutes: at least 1");
      }
      if (rate <= 0) {
        throw new IllegalArgumentException("soak.rate: triggers per second, more than 0");
      }
      if (!db.equals("h2") && !db.equals("postgres")) {
        throw new IllegalArgumentException("soak.db: h2 or postgres");
      }
      if (nodes != 1 && nodes != 2) {
        throw new IllegalArgumentException("soak.nodes: 1 or 2");
      }
      if (nodes == 2 && !db.equals("postgres")) {
        throw new IllegalArgumentException("soak.nodes=2 needs -Dsoak.db=postgres (a cluster shares PostgreSQL)");
      }
    }

    static Options fromSystemProperties() {
      return new Options(Integer.getInteger("soak.minutes", 30),
          Double.parseDouble(System.getProperty("soak.rate", "2")),
          System.getProperty("soak.db", "h2"),
          Integer.getInteger("soak.nodes", 1),
          Double.parseDouble(System.getProperty("soak.readinessRate", "2")),
          Long.getLong("soak.ackDelayMs", 2000),
          Long.getLong("soak.resolveAfterMs", 10_000),
          // A fixed, pre-touched heap: the RSS then moves only with what is not heap (metaspace,
          // threads, direct buffers, code), and the heap's own drift is the figure after GC.
          Arrays.asList(System.getProperty("soak.nodeJvmArgs", "-Xms512m -Xmx512m -XX:+AlwaysPreTouch").trim()
              .split("\\s+")));
    }
  }

  /** If no acknowledgement is seen by then, the incident is resolved anyway (and the ack counts as lost). */
  private static final long RESOLVE_WITHOUT_ACK_MS = 300_000;

  /** What happened in one minute. */
  private static final class Minute {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger sms = new AtomicInteger();
    final AtomicInteger replies = new AtomicInteger();
    final AtomicInteger acked = new AtomicInteger();
    final AtomicInteger resolved = new AtomicInteger();
    final AtomicInteger patches = new AtomicInteger();
    final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    final Queue<Long> toSms = new ConcurrentLinkedQueue<>();
    final Queue<Long> toAck = new ConcurrentLinkedQueue<>();

    void error(String kind) {
      errors.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  /** The figures of a minute that the summary compares. */
  private record Row(int minute, long rss, long heap, double smsP99, double ackP99) { }

  /** One triggered incident, as the load generator follows it. */
  private static final class Incident {
    final int n;
    final long sentNanos;
    volatile String id;
    volatile String ref;
    /** Settled: answered, or given up after {@link #ATTEMPTS}. */
    volatile boolean settled;
    volatile long replyNanos;
    /** The reply was answered (whatever the webhook said). */
    volatile boolean replyDone;
    volatile boolean replyAccepted;
    volatile boolean resolveDone;
    volatile boolean resolved;
    final AtomicBoolean smsTimed = new AtomicBoolean();
    final AtomicBoolean ackTimed = new AtomicBoolean();
    final AtomicBoolean resolveStarted = new AtomicBoolean();

    Incident(int n, long sentNanos) {
      this.n = n;
      this.sentNanos = sentNanos;
    }
  }

  private record Answer(int status, Buffer body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Options options;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient http = vertx.createHttpClient(
      new HttpClientOptions().setKeepAlive(true).setConnectTimeout(5_000), new PoolOptions().setHttp1MaxSize(32));
  private final String simToken = "soak-" + UUID.randomUUID();
  private final SmsSimulator simulator = new SmsSimulator(
      new SimulatorConfig("127.0.0.1", 0, TestNodes.ACCOUNT_SID, simToken, 200, 800));
  private final AtomicReference<Minute> minute = new AtomicReference<>(new Minute());
  private final Map<Integer, Incident> incidents = new ConcurrentHashMap<>();
  private final Map<String, Incident> byRef = new ConcurrentHashMap<>();
  private final Map<String, Incident> byId = new ConcurrentHashMap<>();
  /** The first page the simulator accepted for each incident reference. */
  private final Map<String, SimMessage> firstPage = new ConcurrentHashMap<>();
  /** Messages at the simulator by "ref kind phone" (kind: page, all-clear, other). */
  private final Map<String, AtomicInteger> atSimulator = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> errorsTotal = new ConcurrentHashMap<>();
  private final AtomicInteger simulatorTotal = new AtomicInteger();
  private final List<Row> rows = new ArrayList<>();
  private volatile boolean loading = true;
  private NodeProcess nodes;
  private int triggerPort;
  private int watchPort;
  private int simulatorPort;
  /** Written by the load timer only. */
  private int nextTrigger;
  private int nextPatch;

  private Soak(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    try {
      System.exit(new Soak(Options.fromSystemProperties()).run());
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(2); // the clients' threads would keep exec:java waiting
    }
  }

  private int run() throws Exception {
    simulator.start(vertx).await();
    simulatorPort = URI.create(simulator.baseUrl()).getPort();
    simulator.onMessage(this::atSimulator);
    Files.createDirectories(DIR);
    Path log = DIR.resolve("nodes-" + options.db() + ".log").toAbsolutePath();
    JsonObject extra = new JsonObject()
        .put("sms", new JsonObject().put("accountSid", TestNodes.ACCOUNT_SID).put("authToken", simToken)
            .put("apiBaseUrl", simulator.baseUrl()))
        .put("security", new JsonObject().put("tokenMinutes", Math.max(120, options.minutes() + 60)));
    try (NodeProcess started = NodeProcess.start(options.db(), options.nodes(), extra, options.nodeJvmArgs(), log)) {
      nodes = started;
      triggerPort = nodes.ports().get(0);
      watchPort = nodes.ports().get(nodes.ports().size() - 1);
      nodes.ports().forEach(port -> Http.authorize("127.0.0.1:" + port, nodes.token(port)));
      simulator.setInboundWebhookUrl("http://127.0.0.1:" + watchPort + "/webhooks/twilio/sms");
      System.out.printf("Muster soak: %d min, %s triggers/s (mass-casualty drill, 4 pages, ack after %d ms, resolved"
              + " %d ms after its ack), %s readiness PATCHes/s, %s, %d node(s) in process %d %s (output in %s), load %s%n",
          options.minutes(), options.rate(), options.ackDelayMs(), options.resolveAfterMs(), options.readinessRate(),
          options.db(), options.nodes(), nodes.pid(), options.nodeJvmArgs(), log, loadAverage());
      System.out.println("Each minute: triggers sent/answered, SMS at the simulator, replies/acks seen, resolves,"
          + " PATCHes; errors by kind; trigger->first SMS and reply->ack on the websocket p50/p99 (ms); the node"
          + " JVM's heap used after a forced GC/committed, RSS, threads; DB connections (busy); outbox backlog; load average.");
      LiveStream live = LiveStream.open(vertx, watchPort);
      Thread reader = new Thread(() -> read(live), "soak-websocket-reader");
      reader.setDaemon(true);
      reader.start();
      load();
      drain();
      int code = verify();
      live.close();
      return code;
    }
  }

  // ---- load ----

  private void load() throws InterruptedException {
    long start = System.nanoTime();
    vertx.setPeriodic(50, timer -> {
      if (!loading) {
        vertx.cancelTimer(timer);
        return;
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      while (nextTrigger < options.rate() * elapsed) {
        trigger(nextTrigger++);
      }
      while (nextPatch < options.readinessRate() * elapsed) {
        patch(nextPatch++);
      }
    });
    for (int m = 1; m <= options.minutes(); m++) {
      long due = start + Duration.ofMinutes(m).toNanos();
      while (System.nanoTime() < due) {
        Thread.sleep(Math.max(1, Math.min(1000, (due - System.nanoTime()) / 1_000_000)));
      }
      if (m == options.minutes()) {
        loading = false;
      }
      report(m, minute.getAndSet(new Minute()));
    }
  }

  private void trigger(int n) {
    Incident incident = new Incident(n, System.nanoTime());
    incidents.put(n, incident);
    minute.get().sent.incrementAndGet();
    attemptTrigger(incident, 1);
  }

  private void attemptTrigger(Incident incident, int attempt) {
    String body = new JsonObject().put("type", "mass-casualty").put("facilityId", "general")
        .put("summary", "Soak drill " + incident.n).put("drill", true).encode();
    // Retried with the same key, as a careful client would: the same incident, nobody paged twice.
    call(HttpMethod.POST, triggerPort, "/api/v1/incidents", body, "Idempotency-Key", "soak-" + runId + "-" + incident.n)
        .onComplete(ar -> {
          if (ar.succeeded() && (ar.result().status() == 201 || ar.result().status() == 200)) {
            answered(incident, ar.result().json());
          } else {
            error("trigger " + why(ar));
            if (attempt < ATTEMPTS) {
              vertx.setTimer(1000L * attempt, t -> attemptTrigger(incident, attempt + 1));
            } else {
              incident.settled = true;
            }
          }
        });
  }

  private void answered(Incident incident, JsonObject json) {
    incident.id = json.getString("id");
    incident.ref = json.getString("ref");
    byId.put(incident.id, incident);
    byRef.put(incident.ref, incident);
    incident.settled = true;
    minute.get().answered.incrementAndGet();
    vertx.setTimer(RESOLVE_WITHOUT_ACK_MS, t -> resolve(incident));
    if (firstPage.containsKey(incident.ref)) {
      firstPageSeen(incident);
    }
  }

  /** On the simulator's event loop: counts the message, and times an incident's first page. */
  private void atSimulator(SimMessage m) {
    simulatorTotal.incrementAndGet();
    minute.get().sms.incrementAndGet();
    Matcher matcher = REF.matcher(m.body());
    String ref = matcher.find() ? matcher.group(1) : "-";
    String kind = m.body().contains("MASS CASUALTY") ? "page" : m.body().contains("ALL CLEAR") ? "all-clear" : "other";
    atSimulator.computeIfAbsent(ref + " " + kind + " " + m.to(), k -> new AtomicInteger()).incrementAndGet();
    if (kind.equals("page") && firstPage.putIfAbsent(ref, m) == null) {
      Incident incident = byRef.get(ref);
      if (incident != null) {
        firstPageSeen(incident);
      }
    }
  }

  /** Called by whichever of the trigger's answer and its first page comes second (or by both). */
  private void firstPageSeen(Incident incident) {
    if (!incident.smsTimed.compareAndSet(false, true)) {
      return;
    }
    SimMessage page = firstPage.get(incident.ref);
    minute.get().toSms.add(page.receivedNanos() - incident.sentNanos);
    vertx.setTimer(options.ackDelayMs(), t -> reply(incident, page.to()));
  }

  /** The paged phone answers "1 REF"; the simulator posts it to Muster as Twilio's signed webhook. */
  private void reply(Incident incident, String phone) {
    incident.replyNanos = System.nanoTime();
    String body = new JsonObject().put("body", "1 " + incident.ref).encode();
    call(HttpMethod.POST, simulatorPort, "/sim/api/phones/" + URLEncoder.encode(phone, StandardCharsets.UTF_8)
        + "/reply", body).onComplete(ar -> {
          Integer webhook = ar.succeeded() && ar.result().status() == 200
              ? ar.result().json().getInteger("webhookStatus") : null;
          if (webhook != null && webhook == 200) {
            incident.replyAccepted = true;
            minute.get().replies.incrementAndGet();
          } else {
            error("reply " + (webhook != null ? "webhook HTTP " + webhook : why(ar)));
          }
          incident.replyDone = true;
        });
  }

  private void resolve(Incident incident) {
    if (incident.resolveStarted.compareAndSet(false, true)) {
      attemptResolve(incident, 1);
    }
  }

  private void attemptResolve(Incident incident, int attempt) {
    call(HttpMethod.POST, triggerPort, "/api/v1/incidents/" + incident.id + "/resolve", null).onComplete(ar -> {
      if (ar.succeeded() && ar.result().status() == 200) {
        incident.resolved = true;
        incident.resolveDone = true;
        minute.get().resolved.incrementAndGet();
        return;
      }
      error("resolve " + why(ar));
      if (attempt < ATTEMPTS && !(ar.succeeded() && ar.result().status() == 409)) {
        vertx.setTimer(1000L * attempt, t -> attemptResolve(incident, attempt + 1));
      } else {
        // 409: an earlier attempt did resolve it; the check at the end says whether it is resolved.
        incident.resolved = ar.succeeded() && ar.result().status() == 409;
        incident.resolveDone = true;
      }
    });
  }

  private void patch(int n) {
    String facility = n % 2 == 0 ? "general" : "eastside-clinic";
    String body = new JsonObject().put("supplies", new JsonObject().put("ppe-days", 1 + n % 30)).encode();
    call(HttpMethod.PATCH, watchPort, "/api/v1/facilities/" + facility + "/readiness", body).onComplete(ar -> {
      if (ar.succeeded() && ar.result().status() == 200) {
        minute.get().patches.incrementAndGet();
      } else {
        error("readiness " + why(ar));
      }
    });
  }

  /** The websocket reader: times reply -> acknowledged event. */
  private void read(LiveStream live) {
    while (!Thread.currentThread().isInterrupted()) {
      JsonObject event;
      try {
        event = live.next(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        return;
      }
      if (event == null || !"notification.acknowledged".equals(event.getString("type"))) {
        continue;
      }
      Incident incident = byId.get(String.valueOf(event.getValue("incidentId")));
      if (incident != null && incident.replyNanos > 0 && incident.ackTimed.compareAndSet(false, true)) {
        Minute now = minute.get();
        now.toAck.add(System.nanoTime() - incident.replyNanos);
        now.acked.incrementAndGet();
        vertx.setTimer(options.resolveAfterMs(), t -> resolve(incident));
      }
    }
  }

  private Future<Answer> call(HttpMethod method, int port, String uri, String body, String... headers) {
    RequestOptions request = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port).setURI(uri)
        .setIdleTimeout(30_000);
    if (port != simulatorPort) {
      request.putHeader("Authorization", "Bearer " + nodes.token(port));
    }
    if (body != null) {
      request.putHeader("content-type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      request.putHeader(headers[i], headers[i + 1]);
    }
    return http.request(request).compose(r -> body == null ? r.send() : r.send(body))
        .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
  }

  private void error(String kind) {
    minute.get().error(kind);
    errorsTotal.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
  }

  private static String why(AsyncResult<Answer> ar) {
    if (ar.succeeded()) {
      return "HTTP " + ar.result().status();
    }
    String message = ar.cause().getMessage();
    return ar.cause().getClass().getSimpleName()
        + (message == null ? "" : ": " + (message.length() > 60 ? message.substring(0, 60) : message));
  }

  // ---- the minute's line ----

  private void report(int m, Minute done) throws InterruptedException {
    NodeProcess.Stats stats = nodes.stats(Duration.ofSeconds(120));
    long rss = nodes.rssBytes();
    List<Long> toSms = done.toSms.stream().sorted().toList();
    List<Long> toAck = done.toAck.stream().sorted().toList();
    rows.add(new Row(m, rss, stats.heapUsedAfterGc(), ms(toSms, 99), ms(toAck, 99)));
    System.out.printf("min %2d  trig %d/%d  sms %d  reply %d ack %d  resolve %d  patch %d  err %s  trig->sms p50 %s"
            + " p99 %s  ack->ws p50 %s p99 %s  heap %d/%d MB  rss %d MB  thr %d  db %s  outbox %d  load %s%n",
        m, done.sent.get(), done.answered.get(), done.sms.get(), done.replies.get(), done.acked.get(),
        done.resolved.get(), done.patches.get(), errors(done.errors), fmt(ms(toSms, 50)), fmt(ms(toSms, 99)),
        fmt(ms(toAck, 50)), fmt(ms(toAck, 99)), stats.heapUsedAfterGc() / MB, stats.heapCommitted() / MB, rss / MB, stats.threads(),
        stats.dbConnections() < 0 ? "?" : stats.dbConnections() + " (" + stats.dbBusy() + " busy)", stats.outbox(),
        loadAverage());
  }

  private static String errors(Map<String, AtomicInteger> errors) {
    if (errors.isEmpty()) {
      return "-";
    }
    Map<String, Integer> sorted = new TreeMap<>();
    errors.forEach((k, v) -> sorted.put(k, v.get()));
    return sorted.toString();
  }

  private static double ms(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int index = Math.max(0, Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    return sorted.get(index) / 1e6;
  }

  private static String fmt(double ms) {
    return Double.isNaN(ms) ? "-" : String.format("%.0f", ms);
  }

  private static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
  }

  // ---- the end ----

  /**
   * Lets everything in flight finish: the triggers' answers, the replies, then every incident
   * resolved (those not yet resolved, now), and the outbox empty with the simulator quiet.
   */
  private void drain() throws InterruptedException {
    long started = System.nanoTime();
    waitFor("triggers answered", Duration.ofSeconds(120), () -> incidents.values().stream().allMatch(i -> i.settled));
    waitFor("replies answered", Duration.ofSeconds(60).plusMillis(options.ackDelayMs()), () ->
        byRef.values().stream().allMatch(i -> i.replyDone));
    byRef.values().forEach(this::resolve);
    waitFor("incidents resolved", Duration.ofSeconds(120), () -> byRef.values().stream().allMatch(i -> i.resolveDone));
    int[] last = {-1};
    long[] quietSince = {System.nanoTime()};
    waitFor("outbox empty and the simulator quiet for 5 s", Duration.ofSeconds(180), () -> {
      int now = simulatorTotal.get();
      if (now != last[0]) {
        last[0] = now;
        quietSince[0] = System.nanoTime();
      }
      return System.nanoTime() - quietSince[0] > Duration.ofSeconds(5).toNanos() && outbox() == 0;
    });
    System.out.printf("drained in %.0f s%n", (System.nanoTime() - started) / 1e9);
  }

  private long outbox() {
    try {
      return nodes.stats(Duration.ofSeconds(60)).outbox();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void waitFor(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        System.out.println("drain: gave up waiting for " + what + " after " + timeout.toSeconds() + " s");
        return;
      }
      Thread.sleep(500);
    }
  }

  /** The summary, and whether anything was lost. */
  private int verify() {
    List<Incident> answered = incidents.values().stream().filter(i -> i.id != null)
        .sorted((a, b) -> Integer.compare(a.n, b.n)).toList();
    long lostTriggers = incidents.size() - answered.size();
    long missing = missingIncidents(answered);
    Set<String> phones = answered.isEmpty() ? Set.of() : phonesOf(answered.get(0).ref, "page");
    long[] pages = exactlyOnce(answered, "page", phones, i -> true);
    long[] allClears = exactlyOnce(answered, "all-clear", phones, i -> i.resolved);
    long untracked = atSimulator.keySet().stream().map(k -> k.split(" ")[0])
        .filter(ref -> !ref.equals("-") && !byRef.containsKey(ref)).distinct().count();
    long acksLost = answered.stream().filter(i -> i.replyAccepted && !i.ackTimed.get()).count();
    long notResolved = answered.stream().filter(i -> !i.resolved).count();
    long pageCount = count("page");
    long allClearCount = count("all-clear");

    System.out.println();
    System.out.printf("Soak summary: %d min, %s, %d node(s), %s triggers/s%n", options.minutes(), options.db(),
        options.nodes(), options.rate());
    System.out.printf("  triggers: %d sent, %d answered, %d never answered after %d attempts; %d incidents missing"
            + " from GET /api/v1/incidents/{id}; %d not resolved%n", incidents.size(), answered.size(), lostTriggers,
        ATTEMPTS, missing, notResolved);
    System.out.printf("  at the simulator: %d messages (%d pages, %d all-clears, %d other); paged phones per incident %s;"
            + " pages: %d missing, %d duplicated, %d to an unexpected phone; all-clears: %d missing, %d duplicated,"
            + " %d unexpected; %d incident refs paged that no trigger answered%n", simulatorTotal.get(), pageCount,
        allClearCount, simulatorTotal.get() - pageCount - allClearCount, phones.size(), pages[0], pages[1], pages[2],
        allClears[0], allClears[1], allClears[2], untracked);
    System.out.printf("  acknowledgements: %d replies accepted by the webhook, %d never seen on the websocket%n",
        answered.stream().filter(i -> i.replyAccepted).count(), acksLost);
    System.out.println("  errors (all, including retried): " + errors(errorsTotal));
    memory();
    Row smsWorst = rows.stream().filter(r -> !Double.isNaN(r.smsP99())).max((a, b) -> Double.compare(a.smsP99(), b.smsP99()))
        .orElse(null);
    Row ackWorst = rows.stream().filter(r -> !Double.isNaN(r.ackP99())).max((a, b) -> Double.compare(a.ackP99(), b.ackP99()))
        .orElse(null);
    System.out.printf("  worst minute p99: trigger->first SMS %s ms (minute %s), reply->ack on the websocket %s ms"
            + " (minute %s)%n", smsWorst == null ? "-" : fmt(smsWorst.smsP99()), smsWorst == null ? "-" : smsWorst.minute(),
        ackWorst == null ? "-" : fmt(ackWorst.ackP99()), ackWorst == null ? "-" : ackWorst.minute());
    boolean lost = lostTriggers > 0 || missing > 0 || phones.isEmpty() || pages[0] + pages[1] + pages[2] > 0
        || allClears[0] + allClears[1] + allClears[2] > 0 || acksLost > 0 || notResolved > 0;
    System.out.println(lost ? "  RESULT: FAILED, something was lost or sent twice (see above)"
        : "  RESULT: OK, every incident present, every page and all-clear sent exactly once, every ack seen");
    return lost ? 1 : 0;
  }

  private void memory() {
    Row first = rows.get(0);
    Row last = rows.get(rows.size() - 1);
    System.out.printf("  node RSS: minute 1 %d MB, minute %d %d MB (drift %+d MB; fitted slope %+.0f MB/h; max %d MB)%n",
        first.rss() / MB, last.minute(), last.rss() / MB, (last.rss() - first.rss()) / MB, slope(Row::rss) / MB,
        rows.stream().mapToLong(Row::rss).max().orElse(0) / MB);
    System.out.printf("  node heap after GC: minute 1 %d MB, minute %d %d MB (drift %+d MB; fitted slope %+.0f MB/h;"
            + " max %d MB)%n", first.heap() / MB, last.minute(), last.heap() / MB, (last.heap() - first.heap()) / MB,
        slope(Row::heap) / MB, rows.stream().mapToLong(Row::heap).max().orElse(0) / MB);
  }

  /** Least-squares slope per hour over the minutes after the first (the first includes the warm-up). */
  private double slope(java.util.function.ToLongFunction<Row> value) {
    List<Row> used = rows.size() > 2 ? rows.subList(1, rows.size()) : rows;
    if (used.size() < 2) {
      return Double.NaN;
    }
    double mx = used.stream().mapToDouble(Row::minute).average().orElse(0);
    double my = used.stream().mapToDouble(r -> value.applyAsLong(r)).average().orElse(0);
    double num = used.stream().mapToDouble(r -> (r.minute() - mx) * (value.applyAsLong(r) - my)).sum();
    double den = used.stream().mapToDouble(r -> (r.minute() - mx) * (r.minute() - mx)).sum();
    return num / den * 60;
  }

  private long count(String kind) {
    return atSimulator.entrySet().stream().filter(e -> e.getKey().split(" ")[1].equals(kind))
        .mapToLong(e -> e.getValue().get()).sum();
  }

  private Set<String> phonesOf(String ref, String kind) {
    Set<String> phones = new TreeSet<>();
    atSimulator.keySet().forEach(k -> {
      String[] parts = k.split(" ");
      if (parts[0].equals(ref) && parts[1].equals(kind)) {
        phones.add(parts[2]);
      }
    });
    return phones;
  }

  /** {missing, duplicated, unexpected} messages of this kind, for the incidents {@code which} selects. */
  private long[] exactlyOnce(List<Incident> answered, String kind, Set<String> phones,
                             java.util.function.Predicate<Incident> which) {
    long[] found = new long[3];
    for (Incident incident : answered) {
      if (!which.test(incident)) {
        continue;
      }
      for (String phone : phones) {
        AtomicInteger n = atSimulator.get(incident.ref + " " + kind + " " + phone);
        if (n == null) {
          found[0]++;
        } else if (n.get() > 1) {
          found[1] += n.get() - 1;
        }
      }
      found[2] += phonesOf(incident.ref, kind).stream().filter(p -> !phones.contains(p)).count();
    }
    return found;
  }

  /** Asks for every answered incident by its id; counts those not found. */
  private long missingIncidents(List<Incident> answered) {
    AtomicInteger missing = new AtomicInteger();
    for (int from = 0; from < answered.size(); from += 200) {
      List<Future<Answer>> batch = new ArrayList<>();
      for (Incident incident : answered.subList(from, Math.min(answered.size(), from + 200))) {
        batch.add(call(HttpMethod.GET, triggerPort, "/api/v1/incidents/" + incident.id, null)
            .andThen(ar -> {
              if (ar.failed() || ar.result().status() != 200) {
                missing.incrementAndGet();
                System.out.println("  missing: incident " + incident.ref + " (" + why(ar) + ")");
              }
            }));
      }
      Future.join(batch).otherwiseEmpty().await();
    }
    return missing.get();
  }
}
