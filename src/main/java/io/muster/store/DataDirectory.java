package io.muster.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Muster's data on disk (the embedded H2 database, the token signing secret) is for its own user
 * only: a folder it creates is made 0700 and its files 0600, whatever the umask. A folder that
 * already exists keeps its mode (it may be shared, such as /tmp); the files in it are still 0600.
 * On a file system without POSIX permissions (Windows) nothing is changed.
 */
public final class DataDirectory {
  private static final String H2_FILE = "jdbc:h2:file:";
  private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

  private DataDirectory() {
  }

  /** Creates the folder and its missing parents, each owner-only; an existing folder is left as it is. */
  public static void create(Path dir) throws IOException {
    Path target = dir.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      return;
    }
    Path top = target;
    while (top.getParent() != null && !Files.exists(top.getParent())) {
      top = top.getParent();
    }
    Files.createDirectories(target);
    for (Path made = target; made.startsWith(top); made = made.getParent()) {
      restrict(made, OWNER_DIR);
    }
  }

  /** Writes a new file that is owner-only from its first byte on. */
  public static void writeNew(Path file, String content) throws IOException {
    if (posix(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
    }
    Files.writeString(file, content);
    restrict(file, OWNER_FILE);
  }

  /** The database's path without H2's suffixes, for a {@code jdbc:h2:file:} URL. */
  static Optional<Path> h2Database(String url) {
    if (!url.startsWith(H2_FILE)) {
      return Optional.empty();
    }
    String path = url.substring(H2_FILE.length()).split(";", 2)[0];
    if (path.startsWith("~")) {
      path = System.getProperty("user.home") + path.substring(1);
    }
    return Optional.of(Path.of(path).toAbsolutePath().normalize());
  }

  /**
   * Whether {@code url} is an embedded H2 database on disk that does not exist yet: its first
   * start, which will make the schema from nothing.
   */
  public static boolean newH2Database(String url) {
    return h2Database(url).map(db -> !Files.exists(db.resolveSibling(db.getFileName() + ".mv.db"))).orElse(false);
  }

  /** Makes the database's folder before H2 does. */
  static void beforeOpen(String url) {
    Optional<Path> dir = h2Database(url).map(Path::getParent);
    try {
      if (dir.isPresent()) {
        create(dir.get());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the database folder " + dir.get(), e);
    }
  }

  /** Restricts the files H2 made for this database ({@code name.mv.db}, {@code name.trace.db}, …). */
  static void afterOpen(String url) {
    Optional<Path> db = h2Database(url);
    if (db.isEmpty() || db.get().getParent() == null) {
      return;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(db.get().getParent(), db.get().getFileName() + ".*")) {
      for (Path file : files) {
        if (Files.isRegularFile(file)) {
          restrict(file, OWNER_FILE);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restrict the database files of " + db.get(), e);
    }
  }

  private static void restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    if (posix(path)) {
      Files.setPosixFilePermissions(path, permissions);
    }
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
