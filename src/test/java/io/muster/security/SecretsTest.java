package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The token signing secret and the audit key")
class SecretsTest {

  @TempDir
  Path tmp;

  @Test
  @DisplayName("a single node writes a new secret owner-only (0600) into a folder it makes owner-only (0700), and reads it back")
  void madeOwnerOnly() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
    Path file = tmp.resolve("data").resolve("jwt-secret");

    String made = Secrets.jwtSecret(null, file.toString(), false);

    assertThat(made).hasSizeGreaterThanOrEqualTo(32);
    assertThat(mode(file.getParent())).isEqualTo("rwx------");
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(Secrets.jwtSecret(null, file.toString(), false)).isEqualTo(made);
  }

  @Test
  @DisplayName("a single node makes its audit key file the same way, and the verifier reads it back")
  void singleNodeMakesTheAuditKeyFile() throws IOException {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
    Path file = tmp.resolve("data").resolve("audit-key");
    String made = Secrets.auditKey(null, file.toString(), false);
    assertThat(made).hasSizeGreaterThanOrEqualTo(32);
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(mode(file.getParent())).isEqualTo("rwx------");
    assertThat(Secrets.auditKey(null, file.toString(), false)).isEqualTo(made);
    assertThat(Secrets.existingAuditKey(null, file.toString())).isEqualTo(made);
  }

  @Test
  @DisplayName("a cluster node without an audit key refuses to start, saying what to set")
  void clusterNeedsAnAuditKey() {
    Path file = tmp.resolve("audit-key");
    assertThatThrownBy(() -> Secrets.auditKey(null, file.toString(), true)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a cluster needs one audit key on every node").hasMessageContaining("MUSTER_AUDIT_KEY")
        .hasMessageContaining("MUSTER_AUDIT_KEY_FILE");
    assertThat(file).doesNotExist();
    assertThat(Secrets.auditKey("k".repeat(40), file.toString(), true)).isEqualTo("k".repeat(40));
  }

  @Test
  @DisplayName("an audit key shorter than 32 characters is refused; the verifier never makes one up")
  void shortOrMissingAuditKey() {
    assertThatThrownBy(() -> Secrets.auditKey("short", tmp.resolve("k").toString(), false))
        .hasMessageContaining("at least 32 characters");
    assertThatThrownBy(() -> Secrets.existingAuditKey(null, tmp.resolve("absent").toString()))
        .hasMessageContaining("no audit key").hasMessageContaining("MUSTER_AUDIT_KEY");
    assertThat(tmp.resolve("absent")).doesNotExist();
  }

  @Test
  @DisplayName("a cluster node without a token signing secret refuses to start with its own message")
  void clusterNeedsAJwtSecret() {
    assertThatThrownBy(() -> Secrets.jwtSecret(null, tmp.resolve("jwt").toString(), true))
        .hasMessageContaining("token signing secret").hasMessageContaining("MUSTER_JWT_SECRET");
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
