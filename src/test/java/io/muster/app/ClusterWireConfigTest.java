package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import com.hazelcast.config.MultiMapConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cluster mode's wire settings: what is required, where it listens, and who counts as a listed member. */
class ClusterWireConfigTest {
  @TempDir
  Path certs;

  private JsonObject cluster(String node) {
    ClusterCerts.write(certs, List.of(node), 30);
    Path dir = certs.resolve(node);
    return new JsonObject().put("enabled", true).put("host", "127.0.0.1").put("port", 5801)
        .put("members", new JsonArray().add("127.0.0.1:5801")).put("eventBusPort", 0)
        .put("tlsCert", dir.resolve("node.crt").toString()).put("tlsKey", dir.resolve("node.key").toString())
        .put("tlsCa", dir.resolve("ca.crt").toString());
  }

  private static MusterConfig config(JsonObject cluster) {
    return MusterConfig.of(new JsonObject().put("cluster", cluster)
        .put("db", new JsonObject().put("url", "jdbc:postgresql://127.0.0.1:1/never-opened").put("user", "x")
            .put("password", "").put("poolSize", 1)));
  }

  @Test
  @DisplayName("the event bus listens on 5702 at the cluster host by default; host, port and TLS files come from the environment")
  void eventBusSettings() {
    MusterConfig.Cluster defaults = MusterConfig.of(new JsonObject()).cluster();
    assertThat(defaults.eventBusPort()).isEqualTo(5702);
    assertThat(defaults.eventBusHost()).isEqualTo(defaults.host());
    assertThat(defaults.tlsCert()).isNull();

    MusterConfig.Cluster c = MusterConfig.from(MusterConfig.defaults(), Map.of("MUSTER_CLUSTER_HOST", "10.0.0.5",
        "MUSTER_EVENTBUS_HOST", "10.0.1.5", "MUSTER_EVENTBUS_PORT", "6702", "MUSTER_CLUSTER_TLS_CERT", "/c/node.crt",
        "MUSTER_CLUSTER_TLS_KEY", "/c/node.key", "MUSTER_CLUSTER_TLS_CA", "/c/ca.crt"), new JsonObject()).cluster();
    assertThat(c.eventBusHost()).isEqualTo("10.0.1.5");
    assertThat(c.eventBusPort()).isEqualTo(6702);
    assertThat(List.of(c.tlsCert(), c.tlsKey(), c.tlsCa())).containsExactly("/c/node.crt", "/c/node.key", "/c/ca.crt");
  }

  @Test
  @DisplayName("cluster mode without the TLS files refuses to start and says which command makes them")
  void clusterWithoutTlsRefusesToStart() {
    JsonObject cluster = cluster("n1");
    cluster.remove("tlsKey");

    Throwable failure = Muster.start(config(cluster)).cause();

    assertThat(failure).isInstanceOf(IllegalArgumentException.class);
    assertThat(failure.getMessage()).contains("cluster mode needs TLS").contains("cluster-certs --out")
        .contains("MUSTER_CLUSTER_TLS_KEY");
  }

  @Test
  @DisplayName("a node certificate that the configured CA did not sign, or a missing file, is refused at start")
  void foreignCertificateOrMissingFileRefused(@TempDir Path other) {
    ClusterCerts.write(other, List.of("n1"), 30);
    JsonObject foreign = cluster("n1").put("tlsCa", other.resolve("ca.crt").toString());
    JsonObject missing = cluster("n1").put("tlsCert", certs.resolve("nowhere.crt").toString());

    assertThat(Muster.start(config(foreign)).cause().getMessage()).contains("is not a certificate signed by");
    assertThat(Muster.start(config(missing)).cause().getMessage()).contains("does not exist or cannot be read");
  }

  @Test
  @DisplayName("the cluster ports listen on this node's own address only: every interface, or another machine's, is refused")
  void bindsToOneOwnAddress() {
    assertThatThrownBy(() -> Clustering.check(config(cluster("n1").put("host", "0.0.0.0")).cluster()))
        .hasMessageContaining("every interface");
    assertThatThrownBy(() -> Clustering.check(config(cluster("n1").put("eventBusHost", "192.0.2.77")).cluster()))
        .hasMessageContaining("not an address of this machine");

    Config hz = Clustering.hazelcast(config(cluster("n1").put("host", "localhost")).cluster());
    assertThat(hz.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(hz.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
    assertThat(hz.getNetworkConfig().getPublicAddress()).isEqualTo("localhost:5801");
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  @DisplayName("the event bus runs TLS 1.3 with this node's certificate, trusts only the cluster's CA, and requires a client certificate")
  void eventBusIsMutualTls() {
    MusterConfig.Cluster c = config(cluster("n1").put("eventBusPort", 5802)).cluster();

    EventBusOptions bus = Clustering.eventBus(c);

    assertThat(bus.isSsl()).isTrue();
    assertThat(bus.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(bus.isTrustAll()).isFalse();
    assertThat(bus.getEnabledSecureTransportProtocols()).containsExactly("TLSv1.3");
    assertThat(((PemKeyCertOptions) bus.getKeyCertOptions()).getCertPaths()).containsExactly(c.tlsCert());
    assertThat(((PemTrustOptions) bus.getTrustOptions()).getCertPaths()).containsExactly(c.tlsCa());
    assertThat(bus.getHost()).isEqualTo("127.0.0.1");
    assertThat(bus.getPort()).isEqualTo(5802);
  }

  @Test
  @DisplayName("Hazelcast gets what vertx-hazelcast's own default-cluster.xml gives it (the event bus's maps)")
  void vertxHazelcastSettings() {
    Config ours = Clustering.vertxSettings();
    Config theirs = ConfigUtil.loadConfig();

    assertThat(ours.getMultiMapConfigs()).isEqualTo(theirs.getMultiMapConfigs());
    assertThat(ours.getMapConfigs()).isEqualTo(theirs.getMapConfigs());
    assertThat(ours.getMultiMapConfig("__vertx.subs").getValueCollectionType())
        .isEqualTo(MultiMapConfig.ValueCollectionType.SET);
  }

  @Test
  @DisplayName("the addresses the other nodes are told default to where Hazelcast and the event bus listen; behind NAT"
      + " or a proxy they come from cluster.publicHost/publicPort and cluster.eventBusPublicHost/eventBusPublicPort")
  void publicAddresses() {
    MusterConfig.Cluster defaults = config(cluster("n1")).cluster();
    assertThat(defaults.publicHost()).isEqualTo("127.0.0.1");
    assertThat(defaults.publicPort()).isEqualTo(5801);
    assertThat(defaults.eventBusPublicHost()).isEqualTo("127.0.0.1");
    assertThat(defaults.eventBusPublicPort()).isEqualTo(-1);
    assertThat(Clustering.hazelcast(defaults).getNetworkConfig().getPublicAddress()).isNull();
    assertThat(Clustering.eventBus(defaults).getClusterPublicPort()).isEqualTo(-1);

    MusterConfig.Cluster c = MusterConfig.from(MusterConfig.defaults(), Map.of("MUSTER_CLUSTER_PUBLIC_HOST",
        "203.0.113.7", "MUSTER_CLUSTER_PUBLIC_PORT", "15701", "MUSTER_EVENTBUS_PUBLIC_HOST", "nat.example.org",
        "MUSTER_EVENTBUS_PUBLIC_PORT", "15702"), new JsonObject()).cluster();
    assertThat(List.of(c.publicHost(), c.eventBusPublicHost())).containsExactly("203.0.113.7", "nat.example.org");
    assertThat(List.of(c.publicPort(), c.eventBusPublicPort())).containsExactly(15701, 15702);

    MusterConfig.Cluster proxied = config(cluster("n1").put("publicPort", 15801).put("eventBusPublicPort", 15802)).cluster();
    assertThat(Clustering.hazelcast(proxied).getNetworkConfig().getPublicAddress()).isEqualTo("127.0.0.1:15801");
    assertThat(Clustering.hazelcast(proxied).getNetworkConfig().getInterfaces().getInterfaces())
        .containsExactly("127.0.0.1");
    EventBusOptions bus = Clustering.eventBus(proxied);
    assertThat(bus.getClusterPublicHost()).isEqualTo("127.0.0.1");
    assertThat(bus.getClusterPublicPort()).isEqualTo(15802);
    assertThat(bus.getPort()).isEqualTo(0);

    MusterConfig.Cluster v6 = config(cluster("n1").put("publicHost", "2001:db8::7")).cluster();
    assertThat(Clustering.hazelcast(v6).getNetworkConfig().getPublicAddress()).isEqualTo("[2001:db8::7]:5801");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "publicPort|0|cluster.publicPort must be a port from 1 to 65535, got 0",
      "eventBusPublicPort|70000|cluster.eventBusPublicPort must be a port from 1 to 65535, got 70000",
      "publicPort|57o1|cluster.publicPort must be a whole number, got '57o1'",
      "publicHost|0.0.0.0|cluster.publicHost is 0.0.0.0, which no other node can connect to",
      "eventBusPublicHost|::|cluster.eventBusPublicHost is ::, which no other node can connect to",
      "publicHost|nat.example.org:5701|put the port in cluster.publicPort",
      "eventBusPublicHost|tls://10.0.0.5|cluster.eventBusPublicHost must be a host name or an IP address",
      "heartbeatTimeoutSeconds|0|cluster.heartbeatTimeoutSeconds must be 1 or more, got 0",
      "mergeAfterSeconds|soon|cluster.mergeAfterSeconds must be a whole number, got 'soon'"})
  @DisplayName("a bad public address, port or failure-detection time is refused at start with the key and what is wrong")
  void badPublicAddressRefused(String key, String value, String message) {
    assertThatThrownBy(() -> config(cluster("n1").put(key, value)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  @DisplayName("how soon a silent member is dropped and how often split halves look to merge are Hazelcast's properties,"
      + " with a heartbeat at least four times within the timeout")
  void failureDetection() {
    Config defaults = Clustering.hazelcast(config(cluster("n1")).cluster());
    assertThat(defaults.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("60");
    assertThat(defaults.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("5");
    assertThat(defaults.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("120");

    Config quick = Clustering.hazelcast(MusterConfig.from(MusterConfig.defaults(), Map.of(
        "MUSTER_CLUSTER_HEARTBEAT_TIMEOUT_SECONDS", "6", "MUSTER_CLUSTER_MERGE_AFTER_SECONDS", "5"), new JsonObject())
        .cluster());
    assertThat(quick.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("6");
    assertThat(quick.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(quick.getProperty("hazelcast.merge.first.run.delay.seconds")).isEqualTo("5");
    assertThat(quick.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("5");
  }

  @Test
  @DisplayName("a member is listed when its address and port are in cluster.members, by address or by name")
  void listedMembers() throws Exception {
    ClusterWatch watch = new ClusterWatch(List.of("127.0.0.1:5701", "localhost:5703", "10.9.9.9"));

    assertThat(watch.listed(new Address("127.0.0.1", 5701))).isTrue();
    assertThat(watch.listed(new Address("127.0.0.1", 5703))).isTrue();
    assertThat(watch.listed(new Address("10.9.9.9", 6000))).isTrue();
    assertThat(watch.listed(new Address("127.0.0.1", 5702))).isFalse();
    assertThat(watch.listed(new Address("10.9.9.8", 5701))).isFalse();
  }
}
