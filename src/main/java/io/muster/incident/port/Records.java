package io.muster.incident.port;

import io.muster.incident.domain.Incident;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Incidents as other features read them, in their own transaction. */
public interface Records {
  Optional<Incident> byId(Connection c, String id) throws SQLException;

  /** The active incidents, at one facility or (null) everywhere. */
  List<Incident> active(Connection c, String facilityId) throws SQLException;
}
