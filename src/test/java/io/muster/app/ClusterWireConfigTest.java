package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.Config;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
