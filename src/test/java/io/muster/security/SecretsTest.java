package io.muster.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The token signing secret file")
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

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
