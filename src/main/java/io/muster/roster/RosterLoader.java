package io.muster.roster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.FacilityType;
import io.muster.roster.domain.PhoneNumbers;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Shift;
import io.muster.roster.domain.Staff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the roster file (facilities, roles, staff). Every problem names the file, the row and the
 * field, and the whole file is refused: a half-loaded roster would page the wrong people.
 */
public final class RosterLoader {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private RosterLoader() {
  }

  public static Roster load(Path file) {
    JsonNode root;
    try {
      root = YAML.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new RosterException(file + ": cannot be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw new RosterException(file + ": must be a mapping with facilities, roles and staff");
    }
    List<Facility> facilities = facilities(file, root.path("facilities"));
    Set<String> roles = roles(file, root.path("roles"));
    List<Staff> staff = staff(file, root.path("staff"), facilities, roles);
    try {
      return new Roster(facilities, roles, staff);
    } catch (IllegalArgumentException e) {
      throw new RosterException(file + ": staff: " + e.getMessage());
    }
  }

  private static List<Facility> facilities(Path file, JsonNode list) {
    requireList(file, list, "facilities");
    List<Facility> facilities = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode row = list.get(i);
      try {
        facilities.add(new Facility(text(row, "id"), text(row, "name"), FacilityType.of(text(row, "type")),
            zone(row.path("timezone"))));
      } catch (IllegalArgumentException e) {
        throw new RosterException(file + ": facilities[" + i + "]: " + e.getMessage());
      }
    }
    return facilities;
  }

  private static Set<String> roles(Path file, JsonNode list) {
    requireList(file, list, "roles");
    Set<String> roles = new LinkedHashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String role = list.get(i).asText();
      if (!role.matches("[a-z][a-z0-9-]*")) {
        throw new RosterException(file + ": roles[" + i + "]: must be lowercase words joined by dashes, got '" + role + "'");
      }
      roles.add(role);
    }
    return roles;
  }

  private static List<Staff> staff(Path file, JsonNode list, List<Facility> facilities, Set<String> roles) {
    requireList(file, list, "staff");
    List<Staff> staff = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode row = list.get(i);
      String where = file + ": staff[" + i + "] (id '" + row.path("id").asText() + "'): ";
      try {
        staff.add(staffMember(row, facilities, roles));
      } catch (IllegalArgumentException e) {
        throw new RosterException(where + e.getMessage());
      }
    }
    return staff;
  }

  private static Staff staffMember(JsonNode row, List<Facility> facilities, Set<String> known) {
    String rawPhone = text(row, "phone");
    String phone = PhoneNumbers.e164(rawPhone)
        .orElseThrow(() -> new IllegalArgumentException("phone: '" + rawPhone + "' is not a valid phone number"));
    String facility = text(row, "facility");
    if (facilities.stream().noneMatch(f -> f.id().equals(facility))) {
      throw new IllegalArgumentException("facility: '" + facility + "' is not a facility of this roster");
    }
    Set<String> roles = new LinkedHashSet<>();
    row.path("roles").forEach(r -> roles.add(r.asText()));
    for (String role : roles) {
      if (!known.contains(role)) {
        throw new IllegalArgumentException("roles: '" + role + "' is not in the roles list");
      }
    }
    JsonNode shift = row.path("shift");
    return new Staff(text(row, "id"), text(row, "name"), phone, facility, roles,
        shift.isMissingNode() || shift.isNull() ? null : Shift.parse(shift.asText()));
  }

  private static java.time.ZoneId zone(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return java.time.ZoneOffset.UTC;
    }
    try {
      return java.time.ZoneId.of(node.asText());
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("timezone: '" + node.asText() + "' is not a time zone such as America/New_York");
    }
  }

  private static void requireList(Path file, JsonNode node, String name) {
    if (!node.isArray()) {
      throw new RosterException(file + ": " + name + ": must be a list");
    }
  }

  private static String text(JsonNode row, String field) {
    JsonNode value = row.get(field);
    if (value == null || value.isNull() || !value.isValueNode() || value.asText().isBlank()) {
      throw new IllegalArgumentException(field + ": is required");
    }
    return value.asText();
  }
}
