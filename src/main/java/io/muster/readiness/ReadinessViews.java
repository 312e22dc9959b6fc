package io.muster.readiness;

import io.muster.common.InvalidInput;
import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.FacilityReadiness;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Readiness in JSON: the board out, an update (PATCH) in. */
public final class ReadinessViews {
  private ReadinessViews() {
  }

  public static JsonObject of(FacilityReadiness r) {
    JsonObject beds = new JsonObject();
    r.beds().forEach((type, b) -> beds.put(type.id(), new JsonObject().put("baseline", b.baseline())
        .put("occupied", b.occupied()).put("available", b.available()).put("staffedAvailable", b.staffedAvailable())
        .put("nursesOnShift", b.nursesOnShift()).put("nursesArrived", b.nursesArrived())
        .put("nursesExpected", b.nursesExpected()).put("setBy", b.setBy()).put("setAt", text(b.setAt()))
        .put("overdue", b.overdue())));
    JsonObject systems = new JsonObject();
    r.systems().forEach((name, s) -> systems.put(name, new JsonObject().put("state", s.state()).put("note", s.note())
        .put("setBy", s.setBy()).put("setAt", text(s.setAt())).put("overdue", s.overdue())));
    JsonObject supplies = new JsonObject();
    r.supplies().forEach((name, v) -> supplies.put(name, value(v)));
    return new JsonObject().put("facilityId", r.facilityId()).put("facilityName", r.facilityName())
        .put("facilityType", r.facilityType()).put("beds", beds).put("edStatus", value(r.edStatus()))
        .put("emsTraffic", value(r.emsTraffic())).put("facilityStatus", value(r.facilityStatus()))
        .put("systems", systems).put("supplies", supplies).put("updatedAt", text(r.updatedAt()));
  }

  /** A facility's summary line for the region list. */
  public static JsonObject summary(FacilityReadiness r) {
    int staffed = r.beds().values().stream().mapToInt(FacilityReadiness.Beds::staffedAvailable).sum();
    JsonObject byType = new JsonObject();
    r.beds().forEach((type, b) -> byType.put(type.id(), b.staffedAvailable()));
    return new JsonObject().put("facilityId", r.facilityId()).put("facilityName", r.facilityName())
        .put("facilityType", r.facilityType())
        .put("edStatus", r.edStatus() == null ? null : r.edStatus().value())
        .put("emsTraffic", r.emsTraffic() == null ? null : r.emsTraffic().value())
        .put("staffedAvailable", staffed).put("staffedAvailableByType", byType)
        .put("systemsDown", new JsonArray(r.systems().entrySet().stream()
            .filter(e -> "down".equals(e.getValue().state())).map(Map.Entry::getKey).toList()))
        .put("updatedAt", text(r.updatedAt()));
  }

  public static JsonObject region(List<FacilityReadiness> all) {
    JsonArray items = new JsonArray();
    all.forEach(r -> items.add(summary(r)));
    return new JsonObject().put("facilities", items);
  }

  /**
   * The stored keys and values of an update body: {@code beds.<type>.{baseline,occupied,nurses}},
   * {@code ed-status}, {@code ems-traffic}, {@code facility-status}, {@code systems.<name>.{state,note}},
   * {@code supplies.<name>}. The contract has checked the shape; this maps it.
   */
  public static Map<String, String> changes(JsonObject body) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonObject beds = body.getJsonObject("beds", new JsonObject());
    for (String type : beds.fieldNames()) {
      BedType bedType;
      try {
        bedType = BedType.of(type);
      } catch (IllegalArgumentException e) {
        throw new InvalidInput("beds." + type, "is not a bed type");
      }
      beds.getJsonObject(type).forEach(e -> out.put("beds." + bedType.id() + "." + e.getKey(), String.valueOf(e.getValue())));
    }
    put(out, "ed-status", body.getString("edStatus"));
    put(out, "ems-traffic", body.getString("emsTraffic"));
    put(out, "facility-status", body.getString("facilityStatus"));
    JsonObject systems = body.getJsonObject("systems", new JsonObject());
    for (String name : systems.fieldNames()) {
      systems.getJsonObject(name).forEach(e -> out.put("systems." + name + "." + e.getKey(), String.valueOf(e.getValue())));
    }
    body.getJsonObject("supplies", new JsonObject()).forEach(e -> out.put("supplies." + e.getKey(), String.valueOf(e.getValue())));
    if (out.isEmpty()) {
      throw new InvalidInput("body", "an update needs at least one value");
    }
    return out;
  }

  private static void put(Map<String, String> out, String key, String value) {
    if (value != null) {
      out.put(key, value);
    }
  }

  private static JsonObject value(FacilityReadiness.Value v) {
    return v == null ? null : new JsonObject().put("value", v.value()).put("setBy", v.setBy())
        .put("setAt", text(v.setAt())).put("overdue", v.overdue());
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }
}
