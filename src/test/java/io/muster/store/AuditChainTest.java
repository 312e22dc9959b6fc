package io.muster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AuditChainTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Instant AT = Instant.parse("2026-12-07T14:02:10.123Z");
  private static final Audit.Entry ENTRY = new Audit.Entry("user:ana", "10.0.0.1", "triggerIncident",
      "/api/v1/incidents", "201", "", null);
  private final AuditChain chain = new AuditChain(KEY);

  @Test
  @DisplayName("a keyed hash is the same for the same row and key, and differs for another key")
  void keyedIsKeyed() {
    String hash = chain.keyed(AuditChain.GENESIS, AT, ENTRY);
    assertThat(hash).hasSize(64).isEqualTo(new AuditChain(KEY).keyed(AuditChain.GENESIS, AT, ENTRY));
    byte[] other = KEY.clone();
    other[0] ^= 1;
    assertThat(new AuditChain(other).keyed(AuditChain.GENESIS, AT, ENTRY)).isNotEqualTo(hash);
    assertThat(hash).isNotEqualTo(AuditChain.plain(AuditChain.GENESIS, 1, AT, ENTRY));
  }

  @Test
  @DisplayName("every field, the time and the previous hash change the keyed hash")
  void everyFieldCounts() {
    String hash = chain.keyed(AuditChain.GENESIS, AT, ENTRY);
    assertThat(chain.keyed("1".repeat(64), AT, ENTRY)).isNotEqualTo(hash);
    assertThat(chain.keyed(AuditChain.GENESIS, AT.plusMillis(1), ENTRY)).isNotEqualTo(hash);
    assertThat(chain.keyed(AuditChain.GENESIS, AT, new Audit.Entry("user:bob", "10.0.0.1", "triggerIncident",
        "/api/v1/incidents", "201", "", null))).isNotEqualTo(hash);
    assertThat(chain.keyed(AuditChain.GENESIS, AT, new Audit.Entry("user:ana", "10.0.0.1", "triggerIncident",
        "/api/v1/incidents", "403", "", null))).isNotEqualTo(hash);
    assertThat(chain.keyed(AuditChain.GENESIS, AT, new Audit.Entry("user:ana", "10.0.0.1", "triggerIncident",
        null, "201", "", null))).isNotEqualTo(hash);
    assertThat(chain.keyed(AuditChain.GENESIS, AT, new Audit.Entry("user:ana", "10.0.0.1", "triggerIncident",
        "/api/v1/incidents", "201", "", 0L))).isNotEqualTo(hash);
  }

  @Test
  @DisplayName("bytes moved from one field into its neighbour change the keyed hash (fields are length-prefixed)")
  void fieldsCannotShiftBytes() {
    Audit.Entry a = new Audit.Entry("user:a", "b\u001fc", "x", null, "200", "", null);
    Audit.Entry b = new Audit.Entry("user:a\u001fb", "c", "x", null, "200", "", null);
    assertThat(AuditChain.plain(AuditChain.GENESIS, 1, AT, a)).as("the old plain chain could not tell")
        .isEqualTo(AuditChain.plain(AuditChain.GENESIS, 1, AT, b));
    assertThat(chain.keyed(AuditChain.GENESIS, AT, a)).isNotEqualTo(chain.keyed(AuditChain.GENESIS, AT, b));
  }

  @Test
  @DisplayName("rows before the keyed chain's first row keep the plain SHA-256 formula they were written with")
  void plainBeforeKeyed() throws Exception {
    String joined = String.join("\u001f", AuditChain.GENESIS, "3", Long.toString(AT.toEpochMilli()), "user:ana",
        "10.0.0.1", "triggerIncident", "/api/v1/incidents", "201", "", "null");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(joined.getBytes(StandardCharsets.UTF_8)));
    assertThat(chain.hash(3, 4L, AuditChain.GENESIS, AT, ENTRY)).isEqualTo(expected);
    assertThat(chain.hash(3, null, AuditChain.GENESIS, AT, ENTRY)).isEqualTo(expected);
    assertThat(chain.hash(4, 4L, AuditChain.GENESIS, AT, ENTRY)).isEqualTo(chain.keyed(AuditChain.GENESIS, AT, ENTRY));
  }

  @Test
  @DisplayName("a chain key shorter than 32 bytes is refused")
  void shortKeyRefused() {
    assertThatThrownBy(() -> new AuditChain(new byte[16])).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("chainKey");
  }
}
