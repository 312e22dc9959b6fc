package io.muster.readiness.port;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** Staff on their way in: "yes" answers to the call-outs of active incidents, with when each will arrive. */
public interface Arrivals {
  record Arrival(String facilityId, String staffId, Instant at) { }

  /** At one facility, or (null) everywhere. */
  List<Arrival> expected(Connection c, String facilityId) throws SQLException;
}
