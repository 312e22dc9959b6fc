package io.muster.readiness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.muster.readiness.domain.BedType;
import io.muster.readiness.domain.ReadinessFields;
import io.muster.readiness.domain.ReadinessRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code config/readiness.yaml} into the {@link ReadinessRules}: the reporting interval, nurse
 * ratios, which roles' rollcall "yes" answers staff which bed type, and the thresholds that trigger
 * incidents.
 */
public final class ReadinessConfig {
  private ReadinessConfig() {
  }

  public static ReadinessRules load(Path file) {
    if (file == null || !Files.exists(file)) {
      return ReadinessRules.defaults();
    }
    try {
      JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
      Duration interval = Duration.ofMinutes(root.path("reportingIntervalMinutes").asLong(240));
      Map<BedType, Integer> overrides = new EnumMap<>(BedType.class);
      root.path("patientsPerNurse").fields().forEachRemaining(e -> overrides.put(BedType.of(e.getKey()), e.getValue().asInt()));
      Map<String, BedType> staffing = new LinkedHashMap<>();
      root.path("rollcallStaffing").fields().forEachRemaining(e -> staffing.put(e.getKey(), BedType.of(e.getValue().asText())));
      List<ReadinessRules.Threshold> thresholds = new ArrayList<>();
      for (JsonNode t : root.path("thresholds")) {
        thresholds.add(threshold(t));
      }
      List<String> reporters = new ArrayList<>();
      root.path("reporterRoles").forEach(r -> reporters.add(r.asText()));
      return new ReadinessRules(interval, ReadinessRules.ratios(overrides), staffing, thresholds,
          reporters.isEmpty() ? ReadinessRules.DEFAULT_REPORTERS : reporters);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static ReadinessRules.Threshold threshold(JsonNode t) {
    String trigger = t.path("trigger").asText(null);
    if (trigger == null) {
      throw new IllegalArgumentException("thresholds: each needs 'trigger' (a playbook id)");
    }
    if (t.has("bed")) {
      BedType bed = BedType.of(t.get("bed").asText());
      int atMost = t.path("staffedAvailableAtMost").asInt(0);
      return new ReadinessRules.Threshold(bed.id() + "<=" + atMost + "->" + trigger, bed, atMost, null, null, trigger);
    }
    String system = t.path("system").asText();
    String state = t.path("state").asText("down");
    if (!ReadinessFields.SYSTEMS.contains(system) || !ReadinessFields.SYSTEM_STATES.contains(state)) {
      throw new IllegalArgumentException("thresholds: system must be one of " + ReadinessFields.SYSTEMS
          + " with a state of " + ReadinessFields.SYSTEM_STATES);
    }
    return new ReadinessRules.Threshold(system + "=" + state + "->" + trigger, null, null, system, state, trigger);
  }

}
