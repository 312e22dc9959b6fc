package io.muster.readiness.domain;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Readiness by SMS, for staff allowed to report: {@code BEDS ICU 3} (3 adult ICU beds available),
 * {@code NURSES MEDSURG 6}, {@code ED DIVERSION}, {@code SYSTEM POWER DOWN}. The result is a set
 * of changes by stored key; {@code beds.<type>.available} is turned into occupied by the service,
 * which knows the baseline.
 */
public final class ReadinessKeywords {
  private static final Map<String, BedType> ALIASES = new LinkedHashMap<>();

  static {
    ALIASES.put("ICU", BedType.ADULT_ICU);
    ALIASES.put("MEDSURG", BedType.MEDICAL_SURGICAL);
    ALIASES.put("MS", BedType.MEDICAL_SURGICAL);
    ALIASES.put("BURN", BedType.BURN);
    ALIASES.put("PICU", BedType.PEDIATRIC_ICU);
    ALIASES.put("PEDS", BedType.PEDIATRICS);
    ALIASES.put("PSYCH", BedType.PSYCHIATRIC);
    ALIASES.put("ISO", BedType.NEGATIVE_PRESSURE_ISOLATION);
    ALIASES.put("OR", BedType.OPERATING_ROOMS);
    ALIASES.put("VENT", BedType.VENTILATORS);
    ALIASES.put("VENTS", BedType.VENTILATORS);
  }

  private ReadinessKeywords() {
  }

  /** The changes a message asks for, or empty when it is not a readiness keyword. */
  public static Optional<Map<String, String>> parse(String body) {
    String[] w = body == null ? new String[0] : body.strip().toUpperCase(Locale.ROOT).split("\\s+");
    if (w.length == 3 && ("BEDS".equals(w[0]) || "NURSES".equals(w[0])) && w[2].matches("[0-9]{1,5}")) {
      return bedType(w[1]).map(t -> Map.of("beds." + t.id() + ("BEDS".equals(w[0]) ? ".available" : ".nurses"), w[2]));
    }
    if (w.length == 2 && "ED".equals(w[0])) {
      String status = "MCI".equals(w[1]) ? "mass-casualty" : w[1].toLowerCase(Locale.ROOT);
      return ReadinessFields.ED_STATUS.contains(status) ? Optional.of(Map.of("ed-status", status)) : Optional.empty();
    }
    if (w.length == 3 && "SYSTEM".equals(w[0])) {
      String system = w[1].toLowerCase(Locale.ROOT).replace('_', '-');
      String state = w[2].toLowerCase(Locale.ROOT);
      if (ReadinessFields.SYSTEMS.contains(system) && ReadinessFields.SYSTEM_STATES.contains(state)) {
        return Optional.of(Map.of("systems." + system + ".state", state));
      }
    }
    return Optional.empty();
  }

  /** Whether the message starts like a readiness keyword (so a malformed one gets readiness help). */
  public static boolean looksLikeOne(String body) {
    String first = body == null ? "" : body.strip().toUpperCase(Locale.ROOT).split("\\s+")[0];
    return first.equals("BEDS") || first.equals("NURSES") || first.equals("ED") || first.equals("SYSTEM");
  }

  private static Optional<BedType> bedType(String word) {
    BedType alias = ALIASES.get(word);
    if (alias != null) {
      return Optional.of(alias);
    }
    try {
      return Optional.of(BedType.of(word.toLowerCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
