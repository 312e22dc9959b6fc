package io.muster.readiness.domain;

import io.muster.common.InvalidInput;
import io.muster.roster.domain.Facility;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A facility's readiness board as rules see it: from the values reported (field → value, who, when)
 * and the staff on their way in, the board coordinators read (staffed beds, statuses, systems,
 * supplies, what is overdue); and what an update may store.
 */
public final class Board {
  /** A value as reported: what, by whom, when. */
  public record Reported(String value, String setBy, Instant setAt) { }

  private Board() {
  }

  /**
   * The changes as they will be stored (SMS "available" counts become occupied = baseline −
   * available), refused with the field at fault when the board they make breaks a rule.
   */
  public static Map<String, String> validate(Map<String, Reported> current, Map<String, String> changes) {
    Map<String, String> merged = new TreeMap<>();
    current.forEach((k, e) -> merged.put(k, e.value()));
    Map<String, String> stored = occupiedFromAvailable(changes, merged);
    merged.putAll(stored);
    ReadinessFields.check(merged);
    return stored;
  }

  /** The board from the facility's values and the arrivals (by bed type) its rollcalls expect. */
  public static FacilityReadiness of(Facility facility, Map<String, Reported> v, Map<BedType, List<Instant>> arrivals,
                                     ReadinessRules rules, Instant now) {
    Map<BedType, FacilityReadiness.Beds> beds = new EnumMap<>(BedType.class);
    for (BedType type : BedType.values()) {
      String base = "beds." + type.id() + ".";
      Reported baseline = v.get(base + "baseline");
      Reported occupied = v.get(base + "occupied");
      Reported nurses = v.get(base + "nurses");
      if (baseline == null && occupied == null && nurses == null && !arrivals.containsKey(type)) {
        continue;
      }
      Reported latest = newest(baseline, occupied, nurses);
      beds.put(type, Staffing.beds(num(baseline), num(occupied), nurses == null ? null : num(nurses),
          arrivals.getOrDefault(type, List.of()), rules.patientsPerNurse(type), now,
          latest == null ? null : latest.setBy(), latest == null ? null : latest.setAt(), overdue(latest, rules, now)));
    }
    Map<String, FacilityReadiness.SystemState> systems = new TreeMap<>();
    for (String s : ReadinessFields.SYSTEMS) {
      Reported state = v.get("systems." + s + ".state");
      if (state != null) {
        Reported note = v.get("systems." + s + ".note");
        systems.put(s, new FacilityReadiness.SystemState(state.value(), note == null ? null : note.value(),
            state.setBy(), state.setAt(), overdue(state, rules, now)));
      }
    }
    Map<String, FacilityReadiness.Value> supplies = new TreeMap<>();
    v.forEach((k, e) -> {
      if (k.startsWith("supplies.")) {
        supplies.put(k.substring("supplies.".length()), value(e, rules, now));
      }
    });
    Instant updated = v.values().stream().map(Reported::setAt).max(Instant::compareTo).orElse(null);
    return new FacilityReadiness(facility.id(), facility.name(), facility.type().id(), beds,
        value(v.get("ed-status"), rules, now), value(v.get("ems-traffic"), rules, now),
        value(v.get("facility-status"), rules, now), systems, supplies, updated);
  }

  /** A value is overdue when it is older than the reporting interval. */
  public static boolean overdue(Reported e, ReadinessRules rules, Instant now) {
    return e != null && e.setAt().plus(rules.reportingInterval()).isBefore(now);
  }

  /** {@code beds.<type>.available} (from SMS) becomes occupied = baseline − available. */
  private static Map<String, String> occupiedFromAvailable(Map<String, String> changes, Map<String, String> current) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : changes.entrySet()) {
      if (!e.getKey().endsWith(".available")) {
        out.put(e.getKey(), e.getValue());
        continue;
      }
      String base = e.getKey().substring(0, e.getKey().length() - "available".length());
      String baselineText = changes.getOrDefault(base + "baseline", current.get(base + "baseline"));
      int baseline = baselineText == null ? 0 : Integer.parseInt(baselineText);
      int available = Integer.parseInt(e.getValue());
      if (available > baseline) {
        throw new InvalidInput(e.getKey(), available + " available is more than the baseline of " + baseline);
      }
      out.put(base + "occupied", String.valueOf(baseline - available));
    }
    return out;
  }

  private static FacilityReadiness.Value value(Reported e, ReadinessRules rules, Instant now) {
    return e == null ? null : new FacilityReadiness.Value(e.value(), e.setBy(), e.setAt(), overdue(e, rules, now));
  }

  private static Reported newest(Reported... entries) {
    Reported best = null;
    for (Reported e : entries) {
      if (e != null && (best == null || e.setAt().isAfter(best.setAt()))) {
        best = e;
      }
    }
    return best;
  }

  private static int num(Reported e) {
    return e == null ? 0 : Integer.parseInt(e.value());
  }
}
