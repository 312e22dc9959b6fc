package io.muster.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Set;

/**
 * A clustered node: Hazelcast with TCP-IP join on the configured members only (no multicast, no
 * cloud auto-detection), bound to {@code cluster.host}'s address only; the event bus bound to
 * {@code cluster.eventBusHost}:{@code cluster.eventBusPort}, with TLS both ways: a node accepts a
 * connection, and connects, only to a peer holding a certificate from the cluster's own CA.
 *
 * <p>Vert.x's event bus client does not verify host names (it connects to whatever address a node
 * announced through Hazelcast), so the peer check is the chain alone: that is sound because the
 * CA is private to the cluster, and every certificate it signed is a node's. Hazelcast itself
 * (open-source edition) has no member authentication: any machine that knows the cluster name can
 * join it, which {@link ClusterWatch} logs, and nothing Muster trusts travels through it.
 */
final class Clustering {
  static final String CERTS_HINT = "Make the certificates with `java -jar muster.jar cluster-certs --out DIR"
      + " --nodes name1,name2,...` and give each node its own: MUSTER_CLUSTER_TLS_CERT=DIR/NAME/node.crt,"
      + " MUSTER_CLUSTER_TLS_KEY=DIR/NAME/node.key, MUSTER_CLUSTER_TLS_CA=DIR/NAME/ca.crt";

  private Clustering() {
  }

  /**
   * Checks what a clustered start needs before anything starts: the TLS files (there, readable, the
   * node's certificate signed by the CA and in date) and addresses of this machine to bind to.
   * Throws {@link IllegalArgumentException} with what to fix.
   */
  static void check(MusterConfig.Cluster cluster) {
    if (blank(cluster.tlsCert()) || blank(cluster.tlsKey()) || blank(cluster.tlsCa())) {
      throw new IllegalArgumentException("cluster mode needs TLS between nodes: without it any machine on the cluster"
          + " network could join the event bus and forge events. " + CERTS_HINT);
    }
    for (String file : new String[] {cluster.tlsCert(), cluster.tlsKey(), cluster.tlsCa()}) {
      if (!Files.isReadable(Path.of(file))) {
        throw new IllegalArgumentException("cluster TLS file " + file + " does not exist or cannot be read. " + CERTS_HINT);
      }
    }
    try {
      X509Certificate node = ClusterCerts.readCertificate(Path.of(cluster.tlsCert()));
      X509Certificate ca = ClusterCerts.readCertificate(Path.of(cluster.tlsCa()));
      node.verify(ca.getPublicKey());
      node.checkValidity();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cluster TLS: " + cluster.tlsCert() + " is not a certificate signed by "
          + cluster.tlsCa() + " that is valid today (" + e.getMessage() + "). " + CERTS_HINT);
    }
    bindAddress("cluster.host", cluster.host());
    bindAddress("cluster.eventBusHost", cluster.eventBusHost());
  }

  /** Call {@link #check} first: this throws on what it would have said. */
  static VertxBuilder configure(VertxBuilder builder, VertxOptions options, MusterConfig.Cluster cluster) {
    options.setEventBusOptions(eventBus(cluster));
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcast(cluster)));
  }

  static Config hazelcast(MusterConfig.Cluster cluster) {
    Config hazelcast = vertxSettings();
    hazelcast.setClusterName(cluster.name());
    hazelcast.setProperty("hazelcast.logging.type", "slf4j");
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    failureDetection(hazelcast, cluster);
    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(cluster.port()).setPortCount(cluster.portCount()).setPortAutoIncrement(cluster.portCount() > 1);
    // Listen on cluster.host's address only, never on every interface; a host name (a container's,
    // say) is what the other nodes are told, its address is what Hazelcast binds to.
    String address = bindAddress("cluster.host", cluster.host()).getHostAddress();
    hazelcast.setProperty("hazelcast.socket.bind.any", "false");
    hazelcast.setProperty("hazelcast.local.localAddress", address);
    network.getInterfaces().setEnabled(true).addInterface(address);
    // What the other nodes are told: cluster.publicHost:publicPort when set (NAT, a port mapping, a
    // proxy), else a host name as given, so that they resolve it themselves. With a port range and
    // no public address the port is not known in advance: Hazelcast announces the address it bound.
    if (cluster.advertisesOtherAddress() || (!isAddress(cluster.host()) && cluster.portCount() == 1)) {
      network.setPublicAddress(hostPort(cluster.publicHost(), cluster.publicPort()));
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    hazelcast.addListenerConfig(new ListenerConfig(new ClusterWatch(cluster.members())));
    return hazelcast;
  }

  /**
   * What vertx-hazelcast needs of Hazelcast (its default-cluster.xml: the event bus subscriptions
   * as a multimap of sets, one backup of them and of the node and HA information), built in code:
   * reading that XML and checking it against Hazelcast's schema took a noticeable part of a
   * clustered start. With {@code -Dvertx.hazelcast.config=FILE} that file is read instead, as
   * vertx-hazelcast would; Muster's network, join and failure settings apply on top either way.
   */
  static Config vertxSettings() {
    if (System.getProperty("vertx.hazelcast.config") != null) {
      return ConfigUtil.loadConfig();
    }
    Config hazelcast = new Config();
    hazelcast.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    hazelcast.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    hazelcast.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return hazelcast;
  }

  static EventBusOptions eventBus(MusterConfig.Cluster cluster) {
    EventBusOptions options = new EventBusOptions();
    if (cluster.eventBusPublicPort() > 0) {
      options.setClusterPublicPort(cluster.eventBusPublicPort());
    }
    return options
        .setHost(bindAddress("cluster.eventBusHost", cluster.eventBusHost()).getHostAddress())
        .setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.eventBusPublicHost())
        .setSsl(true)
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.3"))
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cluster.tlsCert()).setKeyPath(cluster.tlsKey()))
        .setTrustOptions(new PemTrustOptions().addCertPath(cluster.tlsCa()))
        .setTrustAll(false)
        .setClientAuth(ClientAuth.REQUIRED);
  }

  /**
   * How soon a silent member is dropped, and how often the halves of a split cluster look for each
   * other to merge (Hazelcast's defaults otherwise: 60 s, first after 300 s then every 120 s). The
   * heartbeat goes at least four times within the timeout.
   */
  private static void failureDetection(Config hazelcast, MusterConfig.Cluster cluster) {
    int timeout = cluster.heartbeatTimeoutSeconds();
    hazelcast.setProperty("hazelcast.max.no.heartbeat.seconds", Integer.toString(timeout));
    hazelcast.setProperty("hazelcast.heartbeat.interval.seconds", Integer.toString(Math.max(1, Math.min(5, timeout / 4))));
    hazelcast.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(cluster.mergeAfterSeconds()));
    hazelcast.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(cluster.mergeAfterSeconds()));
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /** The address of this machine that {@code host} (a name or an address) stands for. */
  static InetAddress bindAddress(String key, String host) {
    try {
      InetAddress address = InetAddress.getByName(host);
      if (address.isAnyLocalAddress()) {
        throw new IllegalArgumentException(key + " is " + host + ", every interface: set it to the address (or a name of"
            + " it) by which the other nodes reach this one, so that the cluster ports listen there only");
      }
      if (!address.isLoopbackAddress() && NetworkInterface.getByInetAddress(address) == null) {
        throw new IllegalArgumentException(key + " " + host + " is " + address.getHostAddress()
            + ", which is not an address of this machine: set it to one of this node's own addresses or names");
      }
      return address;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(key + " " + host + " does not resolve to an address");
    } catch (SocketException e) {
      throw new IllegalArgumentException(key + " " + host + ": the network interfaces cannot be read: " + e.getMessage());
    }
  }

  private static boolean isAddress(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
