package io.muster.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShiftTest {
  private static final ZoneId BOSTON = ZoneId.of("America/New_York");
  /** 10:00 in Boston on a November day (UTC-5). */
  private static final Instant MORNING = Instant.parse("2026-11-30T15:00:00Z");
  /** 23:00 in Boston. */
  private static final Instant NIGHT = Instant.parse("2026-12-01T04:00:00Z");

  @Test
  @DisplayName("a day shift covers the morning and not the night, in the facility's time zone")
  void dayShift() {
    Shift day = Shift.parse("07:00-19:00");
    assertThat(day.covers(MORNING, BOSTON)).isTrue();
    assertThat(day.covers(NIGHT, BOSTON)).isFalse();
    assertThat(day.covers(MORNING, ZoneId.of("Asia/Tokyo"))).isFalse();
  }

  @Test
  @DisplayName("a night shift runs past midnight")
  void nightShift() {
    Shift night = Shift.parse("19:00-07:00");
    assertThat(night.covers(NIGHT, BOSTON)).isTrue();
    assertThat(night.covers(MORNING, BOSTON)).isFalse();
  }

  @Test
  @DisplayName("a malformed shift is refused naming the field")
  void malformed() {
    assertThatThrownBy(() -> Shift.parse("7am-7pm")).hasMessageStartingWith("shift: ");
    assertThatThrownBy(() -> Shift.parse("25:00-07:00")).hasMessageStartingWith("shift: ");
    assertThatThrownBy(() -> Shift.parse("07:00-07:00")).hasMessageStartingWith("shift: ");
  }

  @Test
  @DisplayName("a role reaches its holders on shift, or every holder when none is on shift")
  void reachable() {
    Facility general = new Facility("general", "General", FacilityType.HOSPITAL, BOSTON);
    Staff day = new Staff("day", "Day Nurse", "+16175550101", "general", Set.of("house-supervisor"), Shift.parse("07:00-19:00"));
    Staff night = new Staff("night", "Night Nurse", "+16175550102", "general", Set.of("house-supervisor"), Shift.parse("19:00-07:00"));
    Staff onCall = new Staff("oncall", "On Call", "+16175550103", "general", Set.of("administrator-on-call"));
    Staff offDay = new Staff("off", "Off", "+16175550104", "general", Set.of("it-on-call"), Shift.parse("07:00-09:00"));
    Roster roster = new Roster(List.of(general), List.of("house-supervisor", "administrator-on-call", "it-on-call"),
        List.of(day, night, onCall, offDay));

    assertThat(roster.reachable(general, "house-supervisor", MORNING)).containsExactly(day);
    assertThat(roster.reachable(general, "house-supervisor", NIGHT)).containsExactly(night);
    assertThat(roster.reachable(general, "administrator-on-call", NIGHT)).containsExactly(onCall);
    assertThat(roster.reachable(general, "it-on-call", NIGHT)).as("nobody on shift: every holder").containsExactly(offDay);
  }
}
