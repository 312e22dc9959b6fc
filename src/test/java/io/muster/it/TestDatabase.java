package io.muster.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh, empty database for one test: an H2 file in a temporary folder, or a new PostgreSQL
 * database on 127.0.0.1:5432 that is dropped afterwards. Without PostgreSQL the test is skipped
 * with a visible message, unless {@code MUSTER_REQUIRE_POSTGRES=1}, which makes it a failure.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String PG_ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test";
  public static final String PG_USER = "postgres";

  public final String kind;
  public final String url;
  public final String user;
  private final String pgName;
  private final Path h2Dir;

  private TestDatabase(String kind, String url, String user, String pgName, Path h2Dir) {
    this.kind = kind;
    this.url = url;
    this.user = user;
    this.pgName = pgName;
    this.h2Dir = h2Dir;
  }

  public static TestDatabase create(String kind) {
    return "postgres".equals(kind) ? postgres() : h2();
  }

  public static TestDatabase h2() {
    try {
      Path dir = Files.createTempDirectory("muster-h2-");
      return new TestDatabase("h2", "jdbc:h2:file:" + dir.resolve("muster") + ";LOCK_TIMEOUT=10000;DB_CLOSE_ON_EXIT=FALSE",
          "sa", null, dir);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static TestDatabase postgres() {
    requirePostgres();
    String name = "muster_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    admin("CREATE DATABASE " + name);
    return new TestDatabase("postgres", "jdbc:postgresql://127.0.0.1:5432/" + name, PG_USER, name, null);
  }

  /** Skips (or, when CI requires PostgreSQL, fails) when the server is not reachable. */
  public static void requirePostgres() {
    try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, PG_USER, "")) {
      c.isValid(2);
    } catch (SQLException e) {
      String message = "PostgreSQL is not reachable at 127.0.0.1:5432 (" + e.getMessage() + ")";
      if ("1".equals(System.getenv("MUSTER_REQUIRE_POSTGRES"))) {
        throw new AssertionError(message + " and MUSTER_REQUIRE_POSTGRES=1");
      }
      System.err.println("SKIPPED: " + message + "; PostgreSQL tests did not run");
      Assumptions.abort(message);
    }
  }

  /** A count from this database, for "nothing was written" checks. */
  public long count(String sql) {
    try (Connection c = DriverManager.getConnection(url, user, "");
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void admin(String sql) {
    try (Connection c = DriverManager.getConnection(PG_ADMIN_URL, PG_USER, "");
         Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (pgName != null) {
      admin("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
    }
    if (h2Dir != null) {
      try (var files = Files.walk(h2Dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException ignored) {
        // a temporary folder left behind is harmless
      }
    }
  }

  @Override
  public String toString() {
    return kind;
  }
}
