package io.muster.store;

import java.sql.SQLException;
import java.sql.SQLTransientException;

/** A database failure, unchecked so that it crosses the transaction boundary. */
public class StoreException extends RuntimeException {
  public StoreException(SQLException cause) {
    super(cause.getMessage(), cause);
  }

  /**
   * Whether the database could not be reached or did not answer in time (no connection from the
   * pool, a connection lost, a statement cancelled by its timeout), rather than refusing the work:
   * the same request may well succeed a moment later.
   */
  public boolean unavailable() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || "57014".equals(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }
}
