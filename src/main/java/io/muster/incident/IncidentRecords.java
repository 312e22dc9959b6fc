package io.muster.incident;

import io.muster.incident.domain.Incident;
import io.muster.incident.port.Records;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** Incidents as other features read them (see {@link Records}). */
public final class IncidentRecords implements Records {
  @Override
  public Optional<Incident> byId(Connection c, String id) throws SQLException {
    return IncidentSql.byId(c, id, false);
  }

  @Override
  public List<Incident> active(Connection c, String facilityId) throws SQLException {
    return IncidentSql.active(c, facilityId);
  }
}
