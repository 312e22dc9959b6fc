package io.muster.playbook;

import io.muster.incident.domain.Incident;
import io.muster.incident.port.Records;
import io.muster.readiness.port.Arrivals;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Staff on the way in, as the call-outs of active incidents know them (see {@link Arrivals}). */
public final class RollcallArrivals implements Arrivals {
  private final Records incidents;

  public RollcallArrivals(Records incidents) {
    this.incidents = incidents;
  }

  @Override
  public List<Arrival> expected(Connection c, String facilityId) throws SQLException {
    Map<String, String> facilityOf = new HashMap<>();
    for (Incident i : incidents.active(c, facilityId)) {
      facilityOf.put(i.id(), i.facilityId());
    }
    List<Arrival> out = new ArrayList<>();
    for (RunSql.Coming a : RunSql.arrivals(c, new ArrayList<>(facilityOf.keySet()))) {
      out.add(new Arrival(facilityOf.get(a.incidentId()), a.staffId(), a.arrivesAt()));
    }
    return out;
  }
}
