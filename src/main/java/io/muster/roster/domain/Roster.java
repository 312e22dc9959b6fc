package io.muster.roster.domain;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The facilities, the known roles and the staff who hold them. Immutable. */
public final class Roster {
  private final Map<String, Facility> facilities;
  private final Set<String> roles;
  private final List<Staff> staff;
  private final Map<String, Staff> byPhone = new HashMap<>();

  public Roster(Collection<Facility> facilities, Collection<String> roles, List<Staff> staff) {
    this.facilities = new LinkedHashMap<>();
    for (Facility f : facilities) {
      if (this.facilities.putIfAbsent(f.id(), f) != null) {
        throw new IllegalArgumentException("id: facility '" + f.id() + "' appears twice");
      }
    }
    this.roles = new TreeSet<>(roles);
    this.staff = List.copyOf(staff);
    Set<String> ids = new java.util.HashSet<>();
    for (Staff s : staff) {
      if (!ids.add(s.id())) {
        throw new IllegalArgumentException("id: staff id '" + s.id() + "' appears twice");
      }
      if (byPhone.putIfAbsent(s.phone(), s) != null) {
        throw new IllegalArgumentException("phone: " + s.id() + " shares a phone number with " + byPhone.get(s.phone()).id());
      }
    }
  }

  public Optional<Facility> facility(String id) {
    return Optional.ofNullable(facilities.get(id));
  }

  public Collection<Facility> facilities() {
    return facilities.values();
  }

  public Set<String> roles() {
    return roles;
  }

  public List<Staff> staff() {
    return staff;
  }

  public Optional<Staff> byPhone(String e164) {
    return Optional.ofNullable(byPhone.get(e164));
  }

  /**
   * Who to reach for a role now: the holders on shift, or, when none of them is, every holder
   * (better to wake someone than to page nobody).
   */
  public List<Staff> reachable(Facility facility, String role, java.time.Instant at) {
    List<Staff> holders = holding(facility.id(), List.of(role));
    List<Staff> onDuty = holders.stream().filter(s -> s.onDuty(at, facility.zone())).toList();
    return onDuty.isEmpty() ? holders : onDuty;
  }

  /** The staff of a facility holding any of the roles, in roster order. */
  public List<Staff> holding(String facilityId, List<String> wantedRoles) {
    return staff.stream()
        .filter(s -> s.facilityId().equals(facilityId) && s.holdsAny(wantedRoles))
        .toList();
  }
}
