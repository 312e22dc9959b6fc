package io.muster.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded database on disk")
class DataDirectoryTest {

  @TempDir
  Path tmp;

  @BeforeEach
  void posixOnly() {
    assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "no POSIX permissions here");
  }

  @Test
  @DisplayName("its folder is created owner-only (0700) and its files are owner-only (0600)")
  void ownerOnly() throws IOException {
    Path data = tmp.resolve("data");

    try (Db db = Db.open("jdbc:h2:file:" + data.resolve("muster") + ";LOCK_TIMEOUT=10000", "sa", "", 2)) {
      assertThat(mode(data)).isEqualTo("rwx------");
      assertThat(files(data)).isNotEmpty().contains(data.resolve("muster.mv.db"))
          .allSatisfy(file -> assertThat(mode(file)).as("%s", file).isEqualTo("rw-------"));
    }
  }

  @Test
  @DisplayName("in a folder that already exists (it may be shared) the folder keeps its mode, the files are still 0600")
  void existingFolderKeepsItsMode() throws IOException {
    Path shared = Files.createDirectory(tmp.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));

    try (Db db = Db.open("jdbc:h2:file:" + shared.resolve("muster"), "sa", "", 2)) {
      assertThat(mode(shared)).isEqualTo("rwxr-xr-x");
      assertThat(mode(shared.resolve("muster.mv.db"))).isEqualTo("rw-------");
    }
  }

  @Test
  @DisplayName("a first start is known before the database is opened: its file does not exist yet")
  void newDatabase() {
    String url = "jdbc:h2:file:" + tmp.resolve("data").resolve("muster") + ";LOCK_TIMEOUT=10000";

    assertThat(DataDirectory.newH2Database(url)).isTrue();
    try (Db db = Db.open(url, "sa", "", 2)) {
      assertThat(DataDirectory.newH2Database(url)).isFalse();
    }
    assertThat(DataDirectory.newH2Database(url)).isFalse();
    assertThat(DataDirectory.newH2Database("jdbc:postgresql://127.0.0.1:5432/muster")).isFalse();
  }

  @Test
  @DisplayName("every folder it creates on the way is owner-only")
  void missingParents() throws IOException {
    DataDirectory.create(tmp.resolve("a/b/c"));

    for (String dir : List.of("a", "a/b", "a/b/c")) {
      assertThat(mode(tmp.resolve(dir))).as(dir).isEqualTo("rwx------");
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(Files::isRegularFile).toList();
    }
  }

  static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
