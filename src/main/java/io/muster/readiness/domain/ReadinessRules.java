package io.muster.readiness.domain;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * How a facility's readiness is read and watched: the reporting interval (a value older is
 * overdue), nurse ratios per bed type, which roles' rollcall "yes" answers staff which bed type,
 * the thresholds that start incidents, and who reports readiness.
 */
public record ReadinessRules(Duration reportingInterval, Map<BedType, Integer> patientsPerNurse,
                             Map<String, BedType> rollcallStaffing, List<Threshold> thresholds,
                             List<String> reporterRoles) {
  /** Who may report readiness by SMS, and is reminded of overdue values nobody else owns. */
  public static final List<String> DEFAULT_REPORTERS = List.of("house-supervisor", "nursing-supervisor", "bed-manager",
      "charge-nurse");

  /**
   * When {@code bed}'s staffed available count is at most {@code staffedAtMost}, or {@code
   * system} is in {@code state}, the {@code trigger} playbook starts at that facility.
   */
  public record Threshold(String id, BedType bed, Integer staffedAtMost, String system, String state, String trigger) {
    /** Whether the rule holds on this board (a bed type with no baseline never does). */
    public boolean holds(FacilityReadiness board) {
      if (bed != null) {
        FacilityReadiness.Beds beds = board.beds().get(bed);
        return beds != null && beds.baseline() > 0 && beds.staffedAvailable() <= staffedAtMost;
      }
      FacilityReadiness.SystemState s = board.systems().get(system);
      return s != null && state.equals(s.state());
    }

    /** The summary of the incident it starts. */
    public String summary(FacilityReadiness board) {
      return bed != null
          ? "Staffed " + bed.id() + " beds at " + board.beds().get(bed).staffedAvailable() + " (readiness threshold)"
          : "System " + system + " is " + state + " (readiness threshold)";
    }
  }

  public static ReadinessRules defaults() {
    return new ReadinessRules(Duration.ofHours(4), ratios(Map.of()), Map.of(), List.of(), DEFAULT_REPORTERS);
  }

  public int patientsPerNurse(BedType type) {
    return patientsPerNurse.getOrDefault(type, type.defaultPatientsPerNurse());
  }

  /** Every bed type's ratio: the given ones, else the type's default. */
  public static Map<BedType, Integer> ratios(Map<BedType, Integer> overrides) {
    Map<BedType, Integer> out = new EnumMap<>(BedType.class);
    for (BedType t : BedType.values()) {
      out.put(t, overrides.getOrDefault(t, t.defaultPatientsPerNurse()));
    }
    return out;
  }
}
