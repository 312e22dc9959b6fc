package io.muster.incident;

import io.muster.incident.domain.Incident;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The incident as the API, the journal and the live stream show it. */
public final class IncidentMaps {
  private IncidentMaps() {
  }

  public static Map<String, Object> of(Incident i) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", i.id());
    m.put("ref", i.ref());
    m.put("type", i.type());
    m.put("facilityId", i.facilityId());
    m.put("summary", i.summary());
    m.put("severity", i.severity().id());
    m.put("drill", i.drill());
    m.put("status", i.status().id());
    m.put("triggeredAt", text(i.triggeredAt()));
    m.put("triggeredBy", i.triggeredBy());
    m.put("resolvedAt", text(i.resolvedAt()));
    m.put("resolvedBy", i.resolvedBy());
    return m;
  }

  public static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
