package io.muster.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RosterTest {
  private static final Facility GENERAL = new Facility("general", "General Hospital", FacilityType.HOSPITAL);
  private static final Facility CLINIC = new Facility("clinic", "Clinic", FacilityType.CLINIC);
  private static final Staff ANN = new Staff("ann", "Ann", "+16175550101", "general", Set.of("incident-commander"));
  private static final Staff BOB = new Staff("bob", "Bob", "+16175550102", "general", Set.of("it-on-call", "rn"));
  private static final Staff CAT = new Staff("cat", "Cat", "+16175550103", "general", Set.of("rn"));
  private static final Staff DAN = new Staff("dan", "Dan", "+16175550104", "clinic", Set.of("incident-commander"));

  private static Roster roster() {
    return new Roster(List.of(GENERAL, CLINIC), List.of("incident-commander", "it-on-call", "rn"),
        List.of(ANN, BOB, CAT, DAN));
  }

  @Test
  @DisplayName("holding returns the staff of that facility holding any of the roles, in roster order")
  void holding() {
    assertThat(roster().holding("general", List.of("rn", "incident-commander"))).containsExactly(ANN, BOB, CAT);
    assertThat(roster().holding("general", List.of("it-on-call"))).containsExactly(BOB);
  }

  @Test
  @DisplayName("holding never returns staff of another facility")
  void holdingOtherFacility() {
    assertThat(roster().holding("clinic", List.of("incident-commander"))).containsExactly(DAN);
    assertThat(roster().holding("clinic", List.of("rn"))).isEmpty();
    assertThat(roster().holding("nowhere", List.of("rn"))).isEmpty();
  }

  @Test
  @DisplayName("byPhone finds a person by E.164 number, and nobody for an unknown number")
  void byPhone() {
    assertThat(roster().byPhone("+16175550102")).contains(BOB);
    assertThat(roster().byPhone("+16175550199")).isEmpty();
  }

  @Test
  @DisplayName("two people sharing a phone number are refused, naming both")
  void sharedPhone() {
    Staff twin = new Staff("twin", "Twin", ANN.phone(), "general", Set.of("rn"));

    assertThatThrownBy(() -> new Roster(List.of(GENERAL), List.of("rn", "incident-commander"), List.of(ANN, twin)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("phone:")
        .hasMessageContaining("twin")
        .hasMessageContaining("ann");
  }

  @Test
  @DisplayName("facilities are found by id")
  void facility() {
    assertThat(roster().facility("clinic")).contains(CLINIC);
    assertThat(roster().facility("nowhere")).isEmpty();
  }

  @Test
  @DisplayName("a staff member's phone must be E.164")
  void staffPhone() {
    assertThatThrownBy(() -> new Staff("x", "X", "617-555-0101", "general", Set.of("rn")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("phone:");
  }
}
