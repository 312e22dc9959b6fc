package io.muster.roster.domain;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Deliberately breaks the dependency rule (a domain class using JDBC) so ArchitectureTest can
 * prove its domain rule fails. A test class: the real architecture check never sees it.
 */
public final class JdbcLeakFixture {
  private JdbcLeakFixture() {
  }

  public static boolean leak(Connection c) throws SQLException {
    return c.isClosed();
  }
}
