package io.muster.store;

import java.sql.Connection;
import java.sql.SQLException;
import org.h2.api.Trigger;

/** H2's guard on the audit log: any UPDATE or DELETE of a row fails. */
public final class AppendOnlyTrigger implements Trigger {
  @Override
  public void fire(Connection conn, Object[] oldRow, Object[] newRow) throws SQLException {
    throw new SQLException("audit_log is append-only: " + (newRow == null ? "DELETE" : "UPDATE") + " is not allowed");
  }
}
