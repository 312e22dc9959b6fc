package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whose address a request is counted and audited under: {@code X-Forwarded-For} only from a
 * configured proxy, and then the right-most hop that is not itself a trusted proxy.
 */
class ClientAddressTest {

  /** A request from {@code peer} carrying these X-Forwarded-For headers (each may list several hops). */
  private static HttpServerRequest from(String peer, String... forwardedFor) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String h : forwardedFor) {
      headers.add("X-Forwarded-For", h);
    }
    SocketAddress remote = peer == null ? null : SocketAddress.inetSocketAddress(41234, peer);
    return (HttpServerRequest) Proxy.newProxyInstance(ClientAddressTest.class.getClassLoader(),
        new Class<?>[] {HttpServerRequest.class}, (proxy, method, args) -> switch (method.getName()) {
          case "remoteAddress" -> remote;
          case "headers" -> headers;
          case "getHeader" -> headers.get(String.valueOf(args[0]));
          case "toString" -> "request from " + peer;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  private static ClientAddress trusting(String... proxies) {
    return new ClientAddress(List.of(proxies));
  }

  @Test
  @DisplayName("with no trusted proxy, X-Forwarded-For is ignored: the peer is the client")
  void noProxyConfigured() {
    assertThat(trusting().of(from("192.0.2.10", "203.0.113.7"))).isEqualTo("192.0.2.10");
    assertThat(trusting().of(from("192.0.2.10"))).isEqualTo("192.0.2.10");
  }

  @Test
  @DisplayName("a peer that is not a trusted proxy keeps its own address, whatever it forwards")
  void untrustedPeer() {
    ClientAddress a = trusting("10.0.0.0/8");
    assertThat(a.of(from("192.0.2.10", "203.0.113.7"))).isEqualTo("192.0.2.10");
    assertThat(a.of(from("11.0.0.1", "10.0.0.3"))).isEqualTo("11.0.0.1");
  }

  @Test
  @DisplayName("from a trusted proxy: the right-most hop that is not trusted, not the left-most one the client wrote")
  void rightMostUntrusted() {
    ClientAddress a = trusting("10.0.0.0/8");
    assertThat(a.of(from("10.1.2.3", "203.0.113.7"))).isEqualTo("203.0.113.7");
    assertThat(a.of(from("10.1.2.3", "198.51.100.1, 203.0.113.7"))).as("a forged left-most hop is passed over")
        .isEqualTo("203.0.113.7");
    assertThat(a.of(from("10.1.2.3", "198.51.100.1, 203.0.113.7, 10.9.9.9"))).as("a chain of trusted proxies is walked")
        .isEqualTo("203.0.113.7");
    assertThat(a.of(from("10.1.2.3", "198.51.100.1", "203.0.113.7, 10.9.9.9"))).as("several headers are one list")
        .isEqualTo("203.0.113.7");
  }

  @Test
  @DisplayName("from a trusted proxy without X-Forwarded-For: the proxy's address; every hop trusted: the left-most")
  void edgeCases() {
    ClientAddress a = trusting("10.0.0.0/8");
    assertThat(a.of(from("10.1.2.3"))).isEqualTo("10.1.2.3");
    assertThat(a.of(from("10.1.2.3", "10.7.7.7, 10.8.8.8"))).isEqualTo("10.7.7.7");
    assertThat(a.of(from(null))).isEqualTo("-");
  }

  @Test
  @DisplayName("a hop that is not an IP address ends the walk at the proxy: a name is never believed")
  void notAnAddress() {
    ClientAddress a = trusting("10.0.0.0/8");
    assertThat(a.of(from("10.1.2.3", "203.0.113.7, unknown"))).isEqualTo("10.1.2.3");
    assertThat(a.of(from("10.1.2.3", "evil.example"))).isEqualTo("10.1.2.3");
  }

  @Test
  @DisplayName("IPv4 CIDR: a /24 holds .0 to .255 and nothing of the next /24; a single address is a /32")
  void cidrV4() {
    ClientAddress a = trusting("192.168.4.0/24", "172.16.0.9");
    assertThat(a.of(from("192.168.4.0", "203.0.113.1"))).isEqualTo("203.0.113.1");
    assertThat(a.of(from("192.168.4.255", "203.0.113.1"))).isEqualTo("203.0.113.1");
    assertThat(a.of(from("192.168.5.0", "203.0.113.1"))).isEqualTo("192.168.5.0");
    assertThat(a.of(from("192.168.3.255", "203.0.113.1"))).isEqualTo("192.168.3.255");
    assertThat(a.of(from("172.16.0.9", "203.0.113.1"))).isEqualTo("203.0.113.1");
    assertThat(a.of(from("172.16.0.10", "203.0.113.1"))).isEqualTo("172.16.0.10");
    ClientAddress odd = trusting("10.0.0.64/26");
    assertThat(odd.of(from("10.0.0.127", "203.0.113.1"))).isEqualTo("203.0.113.1");
    assertThat(odd.of(from("10.0.0.128", "203.0.113.1"))).isEqualTo("10.0.0.128");
    assertThat(odd.of(from("10.0.0.63", "203.0.113.1"))).isEqualTo("10.0.0.63");
  }

  @Test
  @DisplayName("IPv6 CIDR, and a v4 range never matches a v6 peer (nor the reverse)")
  void cidrV6() {
    ClientAddress a = trusting("2001:db8::/32", "::1");
    assertThat(a.of(from("2001:db8:ffff::1", "2001:db9::7"))).isEqualTo("2001:db9::7");
    assertThat(a.of(from("2001:db9::1", "203.0.113.1"))).isEqualTo("2001:db9::1");
    assertThat(a.of(from("0:0:0:0:0:0:0:1", "203.0.113.1"))).as("another spelling of ::1").isEqualTo("203.0.113.1");
    assertThat(a.of(from("[::1]", "203.0.113.1"))).isEqualTo("203.0.113.1");
    assertThat(a.of(from("2001:db8::5", "2001:db8::6, 2001:db9::7, 2001:db8::8"))).isEqualTo("2001:db9::7");

    ClientAddress v4Only = trusting("0.0.0.0/0");
    assertThat(v4Only.of(from("203.0.113.9", "198.51.100.2"))).as("/0 trusts every v4 peer").isEqualTo("198.51.100.2");
    assertThat(v4Only.of(from("2001:db8::1", "198.51.100.2"))).as("but no v6 peer").isEqualTo("2001:db8::1");
    ClientAddress v6Only = trusting("::/0");
    assertThat(v6Only.of(from("203.0.113.9", "198.51.100.2"))).isEqualTo("203.0.113.9");
  }

  @ParameterizedTest(name = "[{index}] <{0}>")
  @ValueSource(strings = {"proxy.internal", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "2001:db8::/129", "", "10.0.0"})
  @DisplayName("a trusted proxy that is not an address or CIDR range is refused with a message naming http.trustedProxies")
  void badConfiguration(String entry) {
    assertThatThrownBy(() -> trusting(entry)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http.trustedProxies").hasMessageContaining("'" + entry.strip() + "'");
  }

  @Test
  @DisplayName("MUSTER_TRUSTED_PROXIES, a comma-separated list of addresses and ranges, is what ClientAddress trusts")
  void configurationReachesClientAddress() {
    MusterConfig config = MusterConfig.from(MusterConfig.defaults(),
        Map.of("MUSTER_TRUSTED_PROXIES", "10.0.0.0/8, 192.168.1.7"), new JsonObject());
    ClientAddress a = new ClientAddress(config.http().trustedProxies());
    assertThat(a.of(from("192.168.1.7", "203.0.113.4"))).isEqualTo("203.0.113.4");
    assertThat(a.of(from("10.200.0.1", "203.0.113.4"))).isEqualTo("203.0.113.4");
    assertThat(a.of(from("192.168.1.8", "203.0.113.4"))).isEqualTo("192.168.1.8");
  }
}
