package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code docker/compose.yaml} and {@code docker/haproxy.cfg}, read as Docker Compose and HAProxy
 * would (merge keys included): there is no Docker engine to run them in a test.
 */
class ComposeFileTest {
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{[A-Z_]+:-([^}]+)}");

  @Test
  @DisplayName("every node's public URL is the load balancer's, which sends to every node and is its trusted proxy")
  @SuppressWarnings("unchecked")
  void callbacksGoToAnAddressAnyNodeCanTake() throws IOException {
    Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker/compose.yaml")));
    Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
    List<String> nodes = services.keySet().stream().filter(s -> s.startsWith("muster-")).toList();
    assertThat(nodes).hasSizeGreaterThanOrEqualTo(2);

    List<String> publicUrls = nodes.stream().map(n -> env(services.get(n)).get("MUSTER_PUBLIC_BASE_URL")).distinct().toList();
    assertThat(publicUrls).as("one public URL for the whole cluster").hasSize(1);
    String url = defaulted(publicUrls.get(0));
    Matcher lb = Pattern.compile("https?://([a-z0-9-]+):(\\d+)").matcher(url);
    assertThat(lb.matches()).as(url).isTrue();
    String lbService = lb.group(1);
    assertThat(services).containsKey(lbService);
    assertThat(nodes).doesNotContain(lbService);

    Map<String, Object> balancer = services.get(lbService);
    String config = ((List<String>) balancer.get("volumes")).stream().filter(v -> v.contains("haproxy.cfg"))
        .findFirst().orElseThrow().split(":")[0];
    String haproxy = Files.readString(Path.of("docker").resolve(config));
    assertThat(haproxy).contains("bind :" + lb.group(2));
    for (String node : nodes) {
      assertThat(haproxy).as("the load balancer sends to %s", node)
          .containsPattern("(?m)^\\s*server \\S+ " + node + ":" + env(services.get(node)).get("MUSTER_HTTP_PORT") + "\\b");
    }

    String lbAddress = ((Map<String, Map<String, String>>) balancer.get("networks")).get("default").get("ipv4_address");
    Map<String, Object> network = (Map<String, Object>) ((Map<String, Object>) compose.get("networks")).get("default");
    Map<String, Object> ipam = (Map<String, Object>) network.get("ipam");
    String subnet = ((List<Map<String, String>>) ipam.get("config")).get(0).get("subnet");
    assertThat(inSubnet(lbAddress, subnet)).as("%s in %s", lbAddress, subnet).isTrue();
    for (String node : nodes) {
      assertThat(env(services.get(node)).get("MUSTER_TRUSTED_PROXIES")).as(node).isEqualTo(lbAddress);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> env(Map<String, Object> service) {
    return (Map<String, String>) service.get("environment");
  }

  /** The value Compose uses when the variable is not set in the shell. */
  private static String defaulted(String value) {
    Matcher m = DEFAULTED.matcher(value);
    return m.matches() ? m.group(1) : value;
  }

  private static boolean inSubnet(String address, String cidr) throws IOException {
    String[] parts = cidr.split("/");
    int bits = Integer.parseInt(parts[1]);
    long a = toLong(InetAddress.getByName(address).getAddress());
    long net = toLong(InetAddress.getByName(parts[0]).getAddress());
    long mask = bits == 0 ? 0 : -1L << (32 - bits) & 0xFFFFFFFFL;
    return (a & mask) == (net & mask);
  }

  private static long toLong(byte[] b) {
    return ((b[0] & 0xFFL) << 24) | ((b[1] & 0xFFL) << 16) | ((b[2] & 0xFFL) << 8) | (b[3] & 0xFFL);
  }
}
