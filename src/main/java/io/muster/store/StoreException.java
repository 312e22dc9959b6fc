package io.muster.store;

import java.sql.SQLException;

/** A database failure, unchecked so that it crosses the transaction boundary. */
public class StoreException extends RuntimeException {
  public StoreException(SQLException cause) {
    super(cause.getMessage(), cause);
  }
}
