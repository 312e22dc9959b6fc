package io.muster.app;

import com.hazelcast.cluster.Address;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warns when a Hazelcast member joins from an address that is not in {@code cluster.members}.
 * Open-source Hazelcast lets any machine that knows the cluster name join; such a member cannot
 * reach the event bus without a certificate from the cluster's CA, but its presence means
 * something on the cluster network is trying, and an operator should hear of it.
 */
final class ClusterWatch implements InitialMembershipListener {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);

  private final List<String> members;

  ClusterWatch(List<String> members) {
    this.members = List.copyOf(members);
  }

  @Override
  public void init(InitialMembershipEvent event) {
    Member self = event.getCluster().getLocalMember();
    event.getMembers().stream().filter(m -> !m.equals(self)).forEach(this::check);
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    check(event.getMember());
    if (!event.getMember().localMember()) {
      LOG.info("cluster member {} joined; members now: {}", event.getMember().getAddress(), event.getMembers().size());
    }
  }

  /**
   * A member that stopped, or that this node can no longer reach (a network split: each side goes on
   * as a smaller cluster). Nothing stops for it, since work is claimed in the database; the operator
   * should know that live updates from the other side now come on the journal poll.
   */
  @Override
  public void memberRemoved(MembershipEvent event) {
    if (!listed(event.getMember().getAddress())) {
      LOG.warn("the unlisted cluster member at {} has left", event.getMember().getAddress());
      return;
    }
    LOG.warn("cluster member {} left or cannot be reached; members now: {}. Paging, timers and"
        + " receipts go on through the database; the other nodes' live updates reach this node's coordinators on the"
        + " journal poll until it is back", event.getMember().getAddress(), event.getMembers().size());
  }

  private void check(Member member) {
    if (!listed(member.getAddress())) {
      LOG.warn("a cluster member joined from {}, which is not in cluster.members {}: is an untrusted machine on the"
          + " cluster network? Without a certificate from the cluster's CA the event bus refuses it.",
          member.getAddress(), members);
    }
  }

  /** Whether the address is one of the configured members ({@code host:port}, or {@code host} for any port). */
  boolean listed(Address address) {
    for (String entry : members) {
      int colon = entry.lastIndexOf(':');
      boolean withPort = colon > 0 && entry.indexOf(':') == colon;
      String host = withPort ? entry.substring(0, colon) : entry;
      if (withPort && !entry.substring(colon + 1).equals(Integer.toString(address.getPort()))) {
        continue;
      }
      if (sameHost(host, address)) {
        return true;
      }
    }
    return false;
  }

  private static boolean sameHost(String host, Address address) {
    if (host.equalsIgnoreCase(address.getHost())) {
      return true;
    }
    try {
      InetAddress member = address.getInetAddress();
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (a.equals(member)) {
          return true;
        }
      }
    } catch (UnknownHostException e) {
      // A listed name that does not resolve matches nothing.
    }
    return false;
  }
}
