package io.muster.readiness.port;

import io.muster.store.NewEvent;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Changes to a facility's board that another feature makes inside its own transaction. */
public interface Steps {
  /** A playbook's readiness step: the values set (field → value), checked as any update is. */
  List<NewEvent> apply(Connection c, String facilityId, Map<String, String> changes, String actor, Instant now)
      throws SQLException;

  /** Rollcall answers (by these staff) changed who is coming in: the staffing thresholds are checked again. */
  List<NewEvent> staffingChanged(Connection c, String facilityId, List<String> answeredBy, Instant now, String actor)
      throws SQLException;
}
