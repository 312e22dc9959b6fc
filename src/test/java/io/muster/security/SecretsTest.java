package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsTest {

  @Test
  @DisplayName("a single node makes its audit key file (owner-only, in an owner-only folder) and reads it back after")
  void singleNodeMakesTheKeyFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("data").resolve("audit-key");
    String made = Secrets.auditKey(null, file.toString(), false);
    assertThat(made).hasSizeGreaterThanOrEqualTo(32);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    assertThat(Secrets.auditKey(null, file.toString(), false)).isEqualTo(made);
    assertThat(Secrets.existingAuditKey(null, file.toString())).isEqualTo(made);
  }

  @Test
  @DisplayName("a cluster node without an audit key refuses to start, saying what to set")
  void clusterNeedsAKey(@TempDir Path dir) {
    Path file = dir.resolve("audit-key");
    assertThatThrownBy(() -> Secrets.auditKey(null, file.toString(), true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a cluster needs one audit key on every node").hasMessageContaining("MUSTER_AUDIT_KEY")
        .hasMessageContaining("MUSTER_AUDIT_KEY_FILE");
    assertThat(file).doesNotExist();
    assertThat(Secrets.auditKey("k".repeat(40), file.toString(), true)).isEqualTo("k".repeat(40));
  }

  @Test
  @DisplayName("an audit key shorter than 32 characters is refused; the verifier never makes one up")
  void shortOrMissing(@TempDir Path dir) {
    assertThatThrownBy(() -> Secrets.auditKey("short", dir.resolve("k").toString(), false))
        .hasMessageContaining("at least 32 characters");
    assertThatThrownBy(() -> Secrets.existingAuditKey(null, dir.resolve("absent").toString()))
        .hasMessageContaining("no audit key").hasMessageContaining("MUSTER_AUDIT_KEY");
    assertThat(dir.resolve("absent")).doesNotExist();
  }

  @Test
  @DisplayName("the token signing secret still comes from the same place, with its own message")
  void jwtSecret(@TempDir Path dir) {
    assertThatThrownBy(() -> Secrets.jwtSecret(null, dir.resolve("jwt").toString(), true))
        .hasMessageContaining("token signing secret").hasMessageContaining("MUSTER_JWT_SECRET");
    assertThat(Secrets.jwtSecret(null, dir.resolve("jwt").toString(), false)).isNotBlank();
  }
}
