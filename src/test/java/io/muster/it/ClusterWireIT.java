package io.muster.it;

import static io.muster.it.PipelineIT.MCI;
import static io.muster.it.PipelineIT.WAIT;
import static io.muster.it.PipelineIT.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.hazelcast.config.Config;
import io.muster.app.ClusterCerts;
import io.muster.app.Muster;
import io.muster.app.MusterConfig;
import io.muster.store.JournalBus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The cluster's own wire: two real nodes on PostgreSQL with the event bus under mutual TLS, and
 * machines on the cluster network that should not be trusted. One cluster serves every test of the
 * class (two nodes take most of a test's time on a small machine); each test brings its own rogue
 * and takes the journal position it starts from.
 */
@Timeout(240)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterWireIT {
  private static final String FORGED = "FORGED: evacuate all floors now";

  private TestNodes nodes;
  private Muster a;
  private Muster b;
  private final Captured logs = new Captured();
  private Vertx rogue;

  @BeforeAll
  void startCluster() {
    nodes = TestNodes.on("postgres");
    List<Muster> cluster = nodes.startCluster(2);
    a = cluster.get(0);
    b = cluster.get(1);
    logs.start();
    for (String name : List.of("io.muster.app.ClusterWatch", "io.muster.live.LiveHub")) {
      ((Logger) LoggerFactory.getLogger(name)).addAppender(logs);
    }
  }

  @AfterAll
  void stopCluster() {
    for (String name : List.of("io.muster.app.ClusterWatch", "io.muster.live.LiveHub")) {
      ((Logger) LoggerFactory.getLogger(name)).detachAppender(logs);
    }
    if (nodes != null) {
      nodes.close();
    }
  }

  @BeforeEach
  void clearLogs() {
    logs.events.clear();
  }

  @AfterEach
  void stopRogue() {
    if (rogue != null) {
      rogue.close().await();
      rogue = null;
    }
  }

  @ParameterizedTest(name = "a rogue whose event bus speaks {0}")
  @ValueSource(strings = {"plain TCP", "TLS with another CA's certificate"})
  @DisplayName("a rogue that knows the cluster name and a member's address is logged as it joins, reaches no node's"
      + " event bus, and its forged event never reaches a coordinator; the real nodes still work together")
  void rogueMemberIsLoggedAndItsForgeryNeverShown(String kind) throws Exception {
    try (LiveClient onA = LiveClient.connect(a.httpPort(), null)) {
      long next = onA.snapshot.getLong("seq") + 1;
      AtomicBoolean probeReached = new AtomicBoolean();
      String probe = "it.probe." + UUID.randomUUID();
      MessageConsumer<Object> probeOnA = a.vertx().eventBus().consumer(probe, m -> probeReached.set(true));
      probeOnA.completion().await();

      int rogueHazelcastPort = TestNodes.freePort();
      EventBusOptions wire = new EventBusOptions().setHost("127.0.0.1").setPort(0);
      if (kind.startsWith("TLS")) {
        Path other = Files.createTempDirectory("muster-other-ca-");
        ClusterCerts.write(other, List.of("rogue"), 2);
        wire.setSsl(true).setTrustAll(true).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(other.resolve("rogue/node.crt").toString()).setKeyPath(other.resolve("rogue/node.key").toString()));
      }
      rogue = joinAsMember(rogueHazelcastPort, wire);
      eventually(() -> logs.warned("io.muster.app.ClusterWatch", "127.0.0.1]:" + rogueHazelcastPort));

      forge(rogue, next);
      // The rogue's wire to node A: a command (sent only to the node's own verticles), then a probe
      // behind the forgeries on the same connection. However each ends, the forgeries had their chance.
      assertThatThrownBy(() -> rogue.eventBus().request("incident.cmd.trigger", new JsonObject(MCI)).await())
          .hasMessageContaining("No handlers");
      rogue.eventBus().sender(probe).write("ping").transform(ar -> Future.succeededFuture()).await();

      JsonObject real = triggerOnBAndAwaitOnA(onA);
      assertThat(real.getLong("seq")).isEqualTo(next);
      assertThat(onA.events()).noneMatch(e -> e.encode().contains("FORGED"));
      assertThat(probeReached).as("a message from the rogue reached node A's event bus").isFalse();
      probeOnA.unregister().await();
    }
  }

  @Test
  @DisplayName("even a member holding a certificate of the cluster's CA cannot make a coordinator see an event the"
      + " journal does not hold: its announcement is logged and ignored")
  void certifiedMemberCannotForgeEither() throws Exception {
    try (LiveClient onA = LiveClient.connect(a.httpPort(), null)) {
      long next = onA.snapshot.getLong("seq") + 1;
      JsonObject tls = TestNodes.tls("intruder");
      rogue = joinAsMember(TestNodes.freePort(), new EventBusOptions().setHost("127.0.0.1").setPort(0).setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.getString("tlsCert"))
              .setKeyPath(tls.getString("tlsKey")))
          .setTrustOptions(new io.vertx.core.net.PemTrustOptions().addCertPath(tls.getString("tlsCa"))));

      forge(rogue, next);
      eventually(() -> logs.warned("io.muster.live.LiveHub", "announced sequence " + next
          + " which the journal does not have"));

      JsonObject real = triggerOnBAndAwaitOnA(onA);
      assertThat(real.getLong("seq")).isEqualTo(next);
      assertThat(onA.events()).noneMatch(e -> e.encode().contains("FORGED"));
    }
  }

  @Test
  @DisplayName("the event bus port refuses plain TCP, TLS without a client certificate, and a certificate from"
      + " another CA")
  void eventBusRefusesWhoHasNoClusterCertificate() throws Exception {
    int port = ((VertxInternal) a.vertx()).clusterManager().getNodeInfo().port();
    Path ca = TestNodes.clusterCerts().resolve("ca.crt");

    try (Socket plain = new Socket("127.0.0.1", port)) {
      plain.setSoTimeout((int) WAIT.toMillis());
      OutputStream out = plain.getOutputStream();
      out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(8).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(outcome(plain.getInputStream())).as("a plain connection").isEqualTo(Outcome.REFUSED);
    }

    assertRefused(tlsClient(ca, null, null), port);

    Path other = Files.createTempDirectory("muster-other-ca-");
    ClusterCerts.write(other, List.of("rogue"), 2);
    assertRefused(tlsClient(ca, other.resolve("rogue/node.crt"), other.resolve("rogue/node.key")), port);
  }

  /** A clustered Vert.x that knows what an attacker on the network would: the cluster name and the members. */
  private Vertx joinAsMember(int hazelcastPort, EventBusOptions wire) {
    MusterConfig.Cluster cluster = a.config().cluster();
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(cluster.name());
    hz.setProperty("hazelcast.wait.seconds.before.join", "0");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.getNetworkConfig().setPort(hazelcastPort).setPortAutoIncrement(false);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    hz.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    hz.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    hz.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return Vertx.builder().with(new VertxOptions().setEventBusOptions(wire))
        .withClusterManager(new HazelcastClusterManager(hz)).buildClustered().await();
  }

  /** What the security review's rogue published: the live hub's message and the per-type event, as the next sequence. */
  private static void forge(Vertx from, long seq) {
    JsonObject event = new JsonObject().put("seq", seq).put("type", "incident.triggered")
        .put("incidentId", UUID.randomUUID().toString()).put("facilityId", "general").put("at", Instant.now().toString())
        .put("actor", "admin").put("payload", new JsonObject().put("summary", FORGED).put("type", "evacuation"));
    from.eventBus().publish(JournalBus.APPENDED, new JsonObject().put("events", new JsonArray().add(event)));
    from.eventBus().publish(JournalBus.APPENDED, new JsonObject().put("node", "intruder").put("seq", seq));
    from.eventBus().publish("incident.evt.triggered", event);
  }

  /**
   * A real incident triggered on node B; returns the first event node A's coordinator receives,
   * once the incident's four pages are delivered (so that the next test starts on a quiet journal).
   */
  private JsonObject triggerOnBAndAwaitOnA(LiveClient onA) {
    Http.Response r = Http.postJson(TestNodes.baseUrl(b) + "/api/v1/incidents", MCI);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    String id = r.json().getString("id");
    JsonObject first = onA.next(WAIT);
    assertThat(first.getString("type")).isEqualTo("incident.triggered");
    assertThat(first.getString("incidentId")).isEqualTo(id);
    assertThat(first.getJsonObject("payload").encode()).contains("Bus crash on the interstate");
    eventually(() -> count(onA, id, "notification.sent", null) == 4 && count(onA, id, "notification.status", "delivered") == 4);
    return first;
  }

  private static long count(LiveClient client, String incidentId, String type, String status) {
    return client.events().stream().filter(e -> incidentId.equals(e.getString("incidentId")) && type.equals(e.getString("type"))
        && (status == null || status.equals(e.getJsonObject("payload").getString("status")))).count();
  }

  private static void assertRefused(SSLContext context, int port) throws IOException {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout((int) WAIT.toMillis());
      assertThat(exchange(socket)).as("a TLS client without a cluster certificate").isEqualTo(Outcome.REFUSED);
    }
  }

  /**
   * A TLS exchange with a server whose own certificate is the cluster's (the client trusts only that
   * CA). In TLS 1.3 the server judges the client's certificate after the client's side of the
   * handshake, and says no with an alert that the handshake, the write or the next read sees.
   */
  private static Outcome exchange(SSLSocket socket) {
    try {
      socket.startHandshake();
      socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 1, 2, 3, 4});
      socket.getOutputStream().flush();
      return outcome(socket.getInputStream());
    } catch (java.net.SocketTimeoutException open) {
      return Outcome.LEFT_OPEN;
    } catch (IOException refused) {
      for (Throwable t = refused; t != null; t = t.getCause()) {
        if (t instanceof java.security.cert.CertificateException) {
          throw new AssertionError("the event bus's own certificate is not one of the cluster's", refused);
        }
      }
      return Outcome.REFUSED;
    }
  }

  private enum Outcome { REFUSED, ANSWERED, LEFT_OPEN }

  /** What the server does with a connection it should refuse: close it (or alert), answer, or leave it open. */
  private static Outcome outcome(InputStream in) {
    try {
      return in.read() < 0 ? Outcome.REFUSED : Outcome.ANSWERED;
    } catch (java.net.SocketTimeoutException open) {
      return Outcome.LEFT_OPEN;
    } catch (IOException closed) {
      return Outcome.REFUSED;
    }
  }

  /** A TLS client that trusts the cluster's CA, with the given client certificate (or none). */
  private static SSLContext tlsClient(Path ca, Path cert, Path key) throws Exception {
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      trust.setCertificateEntry("ca", x509.generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (cert != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      String pem = Files.readString(key).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      PrivateKey pk = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
      X509Certificate c;
      try (InputStream in = Files.newInputStream(cert)) {
        c = (X509Certificate) x509.generateCertificate(in);
      }
      keys.setKeyEntry("node", pk, new char[0], new Certificate[] {c});
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, new char[0]);
    }
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  /** Log lines of chosen loggers, kept for the test to look at. */
  private static final class Captured extends AppenderBase<ILoggingEvent> {
    final List<ILoggingEvent> events = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }

    boolean warned(String logger, String text) {
      return events.stream().anyMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN
          && e.getLoggerName().equals(logger) && e.getFormattedMessage().contains(text));
    }
  }
}
