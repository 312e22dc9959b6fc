package io.muster.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Which browser pages may open the live websocket: the public base URL's origin, a configured
 * allowed origin, and (only when the public URL is on loopback) its other loopback spellings. The
 * request's Host header plays no part: the client chooses it.
 */
class OriginTest {
  private static final MusterConfig BEHIND_PROXY = config("https://muster.example.org", "https://wall.example.org");
  private static final MusterConfig ON_LOOPBACK = config("http://127.0.0.1:8080");

  private static MusterConfig config(String publicBaseUrl, String... allowed) {
    return MusterConfig.of(new JsonObject()
        .put("http", new JsonObject().put("publicBaseUrl", publicBaseUrl))
        .put("security", new JsonObject().put("allowedOrigins", new JsonArray(java.util.List.of((Object[]) allowed)))));
  }

  @Test
  @DisplayName("the public base URL's origin is allowed, whatever its case or surrounding spaces; its path is not part of it")
  void publicBaseUrl() {
    assertThat(SecurityHeaders.originAllowed("https://muster.example.org", BEHIND_PROXY)).isTrue();
    assertThat(SecurityHeaders.originAllowed("HTTPS://Muster.Example.ORG", BEHIND_PROXY)).isTrue();
    assertThat(SecurityHeaders.originAllowed(" https://muster.example.org ", BEHIND_PROXY)).isTrue();
    MusterConfig withPath = config("https://example.org:8443/muster/");
    assertThat(SecurityHeaders.originAllowed("https://example.org:8443", withPath)).isTrue();
  }

  @Test
  @DisplayName("a public base URL that spells out the scheme's default port matches the browser's Origin, which omits it")
  void defaultPort() {
    // Browsers serialise an origin without the default port (RFC 6454, 6.1).
    assertThat(SecurityHeaders.originAllowed("https://muster.example.org", config("https://muster.example.org:443")))
        .isTrue();
    assertThat(SecurityHeaders.originAllowed("http://muster.example.org", config("http://muster.example.org:80")))
        .isTrue();
  }

  @ParameterizedTest(name = "[{index}] <{0}>")
  @ValueSource(strings = {"http://muster.example.org", "https://muster.example.org:8443", "https://evil.example",
      "https://muster.example.org.evil.example", "https://evil.example/https://muster.example.org",
      "https://sub.muster.example.org", "null", "", "not a url at all"})
  @DisplayName("another scheme, port, host or a look-alike is refused")
  void lookAlikes(String origin) {
    assertThat(SecurityHeaders.originAllowed(origin, BEHIND_PROXY)).isFalse();
  }

  @Test
  @DisplayName("a configured allowed origin is allowed; an origin that is only listed nowhere is not")
  void allowedOrigins() {
    assertThat(SecurityHeaders.originAllowed("https://wall.example.org", BEHIND_PROXY)).isTrue();
    assertThat(SecurityHeaders.originAllowed("https://Wall.Example.org", BEHIND_PROXY)).isTrue();
    assertThat(SecurityHeaders.originAllowed("https://wall.example.org:444", BEHIND_PROXY)).isFalse();
    assertThat(SecurityHeaders.originAllowed("https://wall.example.org", config("https://muster.example.org"))).isFalse();
  }

  @Test
  @DisplayName("the Host header is no reason: the address a node listens on is not allowed unless it is the public URL")
  void hostIsNoReason() {
    // A node listening on 10.0.0.5:8080 behind a proxy: a page claiming that origin (and sending that Host) is refused.
    assertThat(SecurityHeaders.originAllowed("http://10.0.0.5:8080", BEHIND_PROXY)).isFalse();
    assertThat(SecurityHeaders.originAllowed("http://127.0.0.1:8080", BEHIND_PROXY)).isFalse();
    assertThat(SecurityHeaders.originAllowed("http://localhost:8080", BEHIND_PROXY)).isFalse();
  }

  @Test
  @DisplayName("a loopback public URL: localhost, 127.0.0.1 and [::1] with the same scheme and port count as the same origin")
  void loopbackAliases() {
    assertThat(SecurityHeaders.originAllowed("http://127.0.0.1:8080", ON_LOOPBACK)).isTrue();
    assertThat(SecurityHeaders.originAllowed("http://localhost:8080", ON_LOOPBACK)).isTrue();
    assertThat(SecurityHeaders.originAllowed("http://[::1]:8080", ON_LOOPBACK)).isTrue();
    assertThat(SecurityHeaders.originAllowed("http://LOCALHOST:8080", ON_LOOPBACK)).isTrue();
    MusterConfig localhost = config("http://localhost:8080");
    assertThat(SecurityHeaders.originAllowed("http://127.0.0.1:8080", localhost)).isTrue();
  }

  @ParameterizedTest(name = "[{index}] <{0}>")
  @ValueSource(strings = {"http://localhost:8081", "https://localhost:8080", "http://localhost", "http://127.0.0.2:8080",
      "http://localhost.evil.example:8080", "http://127.0.0.1:8080@evil.example", "http://evil.example:8080"})
  @DisplayName("a loopback public URL: another port, scheme or host is still refused")
  void loopbackOnlySameSchemeAndPort(String origin) {
    assertThat(SecurityHeaders.originAllowed(origin, ON_LOOPBACK)).isFalse();
  }
}
