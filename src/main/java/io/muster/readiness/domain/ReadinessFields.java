package io.muster.readiness.domain;

import io.muster.common.InvalidInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The readiness values a facility reports, each stored under a key such as
 * {@code beds.adult-icu.occupied}, {@code ed-status} or {@code systems.power.state}, and the rules
 * every update must keep: counts are whole and not negative, occupied never exceeds baseline,
 * statuses take their listed values.
 */
public final class ReadinessFields {
  public static final List<String> ED_STATUS = List.of("normal", "advisory", "diversion", "closed", "mass-casualty");
  public static final List<String> EMS_TRAFFIC = List.of("open", "advisory", "closed");
  public static final List<String> FACILITY_STATUS = List.of("normal", "limited", "evacuating", "closed");
  public static final List<String> SYSTEMS = List.of("power", "water", "hvac", "medical-gases", "ehr", "communications");
  public static final List<String> SYSTEM_STATES = List.of("up", "degraded", "down");
  public static final Set<String> BED_COUNTS = Set.of("baseline", "occupied", "nurses");
  public static final int MAX_COUNT = 100_000;

  private ReadinessFields() {
  }

  /** Checks the merged values (current plus the update) of a facility; throws naming the field. */
  public static void check(Map<String, String> merged) {
    for (BedType type : BedType.values()) {
      String base = "beds." + type.id() + ".";
      Integer baseline = count(merged, base + "baseline");
      Integer occupied = count(merged, base + "occupied");
      count(merged, base + "nurses");
      if (occupied != null && occupied > (baseline == null ? 0 : baseline)) {
        throw new InvalidInput(field(base + "occupied"), "occupied (" + occupied + ") is above the baseline ("
            + (baseline == null ? 0 : baseline) + ")");
      }
    }
    oneOf(merged, "ed-status", ED_STATUS);
    oneOf(merged, "ems-traffic", EMS_TRAFFIC);
    oneOf(merged, "facility-status", FACILITY_STATUS);
    for (String system : SYSTEMS) {
      oneOf(merged, "systems." + system + ".state", SYSTEM_STATES);
    }
  }

  /** The API's field name for a stored key: {@code beds.adult-icu.occupied} stays, {@code ed-status} → edStatus. */
  public static String field(String key) {
    return switch (key) {
      case "ed-status" -> "edStatus";
      case "ems-traffic" -> "emsTraffic";
      case "facility-status" -> "facilityStatus";
      default -> key;
    };
  }

  /** The readiness values a playbook step may set, by their stored keys. */
  public static Map<String, String> fromPlaybook(Map<String, String> changes) {
    Map<String, String> out = new LinkedHashMap<>(changes);
    check(out);
    return out;
  }

  private static Integer count(Map<String, String> values, String key) {
    String v = values.get(key);
    if (v == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 0 || n > MAX_COUNT) {
        throw new InvalidInput(field(key), "must be a whole number from 0 to " + MAX_COUNT + ", got " + v);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidInput(field(key), "must be a whole number, got '" + v + "'");
    }
  }

  private static void oneOf(Map<String, String> values, String key, List<String> allowed) {
    String v = values.get(key);
    if (v != null && !allowed.contains(v)) {
      throw new InvalidInput(field(key), "must be one of " + String.join(", ", allowed) + "; got '" + v + "'");
    }
  }
}
