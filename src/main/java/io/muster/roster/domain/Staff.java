package io.muster.roster.domain;

import java.util.List;
import java.util.Set;

/**
 * A person who can be paged: E.164 phone, the roles they hold, the facility they work at and,
 * optionally, their daily shift there.
 */
public record Staff(String id, String name, String phone, String facilityId, Set<String> roles, Shift shift) {
  /** Someone with no shift is reachable at any hour (on call, off duty, per diem). */
  public Staff(String id, String name, String phone, String facilityId, Set<String> roles) {
    this(id, name, phone, facilityId, roles, null);
  }

  public Staff {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException("id: must be letters, digits, dots, dashes or underscores, got " + id);
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
    if (phone == null || !phone.matches("\\+[1-9][0-9]{6,14}")) {
      throw new IllegalArgumentException("phone: must be E.164");
    }
    if (facilityId == null || facilityId.isBlank()) {
      throw new IllegalArgumentException("facility: is required");
    }
    if (roles == null || roles.isEmpty()) {
      throw new IllegalArgumentException("roles: at least one role is required");
    }
    roles = Set.copyOf(roles);
  }

  /** On shift now, or without a shift at all. */
  public boolean onDuty(java.time.Instant at, java.time.ZoneId zone) {
    return shift == null || shift.covers(at, zone);
  }

  public boolean holdsAny(List<String> wanted) {
    return wanted.stream().anyMatch(roles::contains);
  }
}
