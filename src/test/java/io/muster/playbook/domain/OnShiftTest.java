package io.muster.playbook.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.FacilityType;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Shift;
import io.muster.roster.domain.Staff;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Positions and pages go to the staff on shift at the facility, by its local time. */
class OnShiftTest {
  private static final Facility GENERAL = new Facility("general", "General", FacilityType.HOSPITAL,
      ZoneId.of("America/New_York"));
  private static final Staff DAY_SUP = new Staff("day-sup", "Day Supervisor", "+16175550101", "general",
      Set.of("house-supervisor"), Shift.parse("07:00-19:00"));
  private static final Staff NIGHT_SUP = new Staff("night-sup", "Night Supervisor", "+16175550102", "general",
      Set.of("house-supervisor"), Shift.parse("19:00-07:00"));
  private static final Staff AOC = new Staff("aoc", "Administrator", "+16175550103", "general",
      Set.of("administrator-on-call"));
  private static final Roster ROSTER = new Roster(List.of(GENERAL), List.of("house-supervisor", "administrator-on-call"),
      List.of(DAY_SUP, NIGHT_SUP, AOC));
  private static final Playbook PLAYBOOK = new Playbook("surge", "Surge", Severity.HIGH, null,
      Map.of("incident-commander", List.of("house-supervisor", "administrator-on-call")),
      List.of(new PageStep("supervisors", null, List.of("house-supervisor"), new Template("Surge at {facility}."),
          new PageStep.Ack(true, 0, Duration.ofMinutes(5), List.of()))),
      null, null, new Template("ALL CLEAR"));

  private static Plan start(Instant at) {
    Incident incident = new Incident("i", "REF12", "surge", "general", "Surge", Severity.HIGH, false,
        IncidentStatus.ACTIVE, at, "test", null, null);
    return new PlaybookEngine(PLAYBOOK, ROSTER, incident, GENERAL).start(at);
  }

  @Test
  @DisplayName("at 10:00 local the day supervisor commands and is paged; at 23:00 the night supervisor")
  void dayAndNight() {
    Plan morning = start(Instant.parse("2026-11-30T15:00:00Z"));
    assertThat(morning.positions.get("incident-commander").id()).isEqualTo("day-sup");
    assertThat(morning.sends).extracting(s -> s.to().id()).containsExactly("day-sup");

    Plan night = start(Instant.parse("2026-12-01T04:00:00Z"));
    assertThat(night.positions.get("incident-commander").id()).isEqualTo("night-sup");
    assertThat(night.sends).extracting(s -> s.to().id()).containsExactly("night-sup");
  }

  @Test
  @DisplayName("the filled-position event says whether the person was on shift")
  void onShiftInEvent() {
    Plan morning = start(Instant.parse("2026-11-30T15:00:00Z"));
    assertThat(morning.events).filteredOn(e -> e.type().equals("position.filled"))
        .singleElement().satisfies(e -> assertThat(((PlaybookEvent.PositionFilled) e).onShift()).isTrue());
  }
}
