package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints are signed with a key derived from the audit key and verify with its public key only. */
class CheckpointTest {
  static final AuditKey KEY = AuditKey.of("unit-test-audit-key-0123456789abcdef");
  private static final AuditKey OTHER = AuditKey.of("another-audit-key-0123456789abcdefgh");
  private static final Instant AT = Instant.parse("2026-12-07T14:02:10.123Z");
  private static final String HASH = "3fa9".repeat(16);

  @Test
  @DisplayName("a signed checkpoint verifies with its key's public key, not with another's")
  void signAndVerify() {
    Checkpoint c = Checkpoint.signed(1204, HASH, 1L, AT, "node-a", KEY);
    assertThat(c.verifies(KEY.publicKey())).isTrue();
    assertThat(c.verifies(OTHER.publicKey())).isFalse();
  }

  @Test
  @DisplayName("changing any field of a checkpoint breaks its signature")
  void fieldsAreSigned() {
    Checkpoint c = Checkpoint.signed(1204, HASH, 1L, AT, "node-a", KEY);
    for (Checkpoint changed : List.of(
        new Checkpoint(1150, c.hash(), c.keyedFrom(), c.at(), c.node(), c.signature()),
        new Checkpoint(c.seq(), "0".repeat(64), c.keyedFrom(), c.at(), c.node(), c.signature()),
        new Checkpoint(c.seq(), c.hash(), 2L, c.at(), c.node(), c.signature()),
        new Checkpoint(c.seq(), c.hash(), null, c.at(), c.node(), c.signature()),
        new Checkpoint(c.seq(), c.hash(), c.keyedFrom(), c.at().plusSeconds(1), c.node(), c.signature()),
        new Checkpoint(c.seq(), c.hash(), c.keyedFrom(), c.at(), "node-b", c.signature()),
        new Checkpoint(c.seq(), c.hash(), c.keyedFrom(), c.at(), c.node(), "not-base64!"))) {
      assertThat(changed.verifies(KEY.publicKey())).as(changed.toString()).isFalse();
    }
  }

  @Test
  @DisplayName("the same audit key gives the same public key on every node; the chain key is not the signing key")
  void derivedKeys() {
    AuditKey again = AuditKey.of("unit-test-audit-key-0123456789abcdef");
    assertThat(again.publicKey()).isEqualTo(KEY.publicKey()).isNotEqualTo(OTHER.publicKey());
    assertThat(Checkpoint.signed(1, HASH, 1L, AT, "n", again).signature())
        .isEqualTo(Checkpoint.signed(1, HASH, 1L, AT, "n", KEY).signature());
    assertThatThrownBy(() -> AuditKey.of("too-short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 characters");
  }

  @Test
  @DisplayName("an outside verifier (the JDK's own Ed25519) checks a checkpoint with the published PEM key")
  void verifiableOutside() throws Exception {
    Checkpoint c = Checkpoint.signed(1204, HASH, 1L, AT, "node-a", KEY);
    String pem = KEY.publicKeyPem();
    byte[] der = Base64.getMimeDecoder().decode(pem.replace("-----BEGIN PUBLIC KEY-----", "")
        .replace("-----END PUBLIC KEY-----", ""));
    PublicKey key = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    Signature ed = Signature.getInstance("Ed25519");
    ed.initVerify(key);
    ed.update(c.message());
    assertThat(ed.verify(Base64.getUrlDecoder().decode(c.signature()))).isTrue();
    assertThat(new String(c.message(), StandardCharsets.UTF_8))
        .isEqualTo("muster-audit-checkpoint/1\n1204\n" + HASH + "\n1\n2026-12-07T14:02:10.123Z\nnode-a");
  }

  @Test
  @DisplayName("a checkpoint reads back from its file line and from a log line that carries it; other lines are skipped")
  void parse() {
    Checkpoint c = Checkpoint.signed(1204, HASH, null, AT, "node a", KEY);
    assertThat(Checkpoint.parse(c.line())).contains(c);
    assertThat(Checkpoint.parse("2026-12-07 14:02:10.124 INFO  i.m.security.AuditTrail - audit checkpoint " + c.line()))
        .contains(c);
    assertThat(Checkpoint.parse("2026-12-07 14:02:10.124 INFO  something else")).isEmpty();
    assertThatThrownBy(() -> Checkpoint.parse("{\"checkpoint\":\"muster-audit-checkpoint/1\",\"seq\":"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("the checkpoint file is created readable by its owner only, in a folder only its owner may enter")
  void filePermissions(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data").resolve("audit-checkpoints.log");
    Checkpoints checkpoints = new Checkpoints(file);
    checkpoints.append(Checkpoint.signed(1, HASH, 1L, AT, "node-a", KEY));
    checkpoints.append(Checkpoint.signed(2, HASH, 1L, AT, "node-a", KEY));
    Files.writeString(file, "a line that is no checkpoint\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(Checkpoints.read(file)).extracting(l -> l.checkpoint().seq()).containsExactly(1L, 2L);
  }
}
