package io.muster.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * A clustered node: Hazelcast with TCP-IP join on the configured members only (no multicast, no
 * cloud auto-detection), and the event bus bound to the same host. Hazelcast carries the event
 * bus's membership, nothing that must not be lost: that lives in the database.
 */
final class Clustering {
  private Clustering() {
  }

  static VertxBuilder configure(VertxBuilder builder, VertxOptions options, MusterConfig.Cluster cluster) {
    Config hazelcast = ConfigUtil.loadConfig();
    hazelcast.setClusterName(cluster.name());
    hazelcast.setProperty("hazelcast.logging.type", "slf4j");
    hazelcast.setProperty("hazelcast.phone.home.enabled", "false");
    hazelcast.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = hazelcast.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    boolean address = isAddress(cluster.host());
    if (address) {
      hazelcast.setProperty("hazelcast.local.localAddress", cluster.host());
      network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    } else {
      // A host name (a container's, say): listen everywhere, tell the others that name.
      network.setPublicAddress(cluster.host() + ":" + cluster.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    options.setEventBusOptions(new EventBusOptions().setHost(address ? cluster.host() : "0.0.0.0").setPort(0)
        .setClusterPublicHost(cluster.host()));
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcast));
  }

  private static boolean isAddress(String host) {
    return host.matches("[0-9.]+") || host.contains(":");
  }
}
