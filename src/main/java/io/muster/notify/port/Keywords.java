package io.muster.notify.port;

import io.muster.roster.domain.Staff;
import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keywords another feature understands in a staff reply (readiness: BEDS ICU 3), handled in the
 * reply's transaction; empty when the reply is not one of them.
 */
public interface Keywords {
  /** What became of the reply ({@code outcome}), the answer to send back, and the events it made. */
  record Handled(String outcome, String answer, List<NewEvent> events) { }

  Optional<Handled> handle(Connection c, Staff staff, String body, Instant now) throws SQLException;
}
