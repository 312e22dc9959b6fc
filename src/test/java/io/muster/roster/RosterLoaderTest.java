package io.muster.roster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.muster.roster.domain.FacilityType;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RosterLoaderTest {

  private static Path fixture(String name) {
    try {
      return Path.of(RosterLoaderTest.class.getResource("/rosters/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String rejected(String name) {
    Path file = fixture(name);
    RosterException e = assertThrows(RosterException.class, () -> RosterLoader.load(file));
    assertThat(e.getMessage()).as("names the file").startsWith(file.toString());
    return e.getMessage();
  }

  @Test
  @DisplayName("the integration tests' roster loads: 2 facilities, 12 roles, 11 staff with E.164 numbers")
  void shippedRoster() {
    Roster roster = RosterLoader.load(Path.of("src/test/resources/it/roster.yaml"));

    assertThat(roster.staff()).hasSize(11);
    assertThat(roster.staff()).extracting(Staff::phone)
        .containsExactlyElementsOf(IntStream.rangeClosed(101, 111).mapToObj(n -> "+16175550" + n).toList());
    assertThat(roster.facilities()).hasSize(2);
    assertThat(roster.facility("eastside-clinic")).hasValueSatisfying(f -> assertThat(f.type()).isEqualTo(FacilityType.CLINIC));
    assertThat(roster.roles()).hasSize(12).contains("incident-commander", "clinic-manager");
  }

  @Test
  @DisplayName("in the integration tests' roster, the general hospital's incident commanders are Dana and Marcus")
  void shippedRosterHolding() {
    Roster roster = RosterLoader.load(Path.of("src/test/resources/it/roster.yaml"));

    assertThat(roster.holding("general", List.of("incident-commander")))
        .extracting(Staff::id).containsExactly("dana-whitfield", "marcus-ng");
    assertThat(roster.byPhone("+16175550111")).hasValueSatisfying(s -> assertThat(s.name()).isEqualTo("Ken Sato"));
  }

  @Test
  @DisplayName("the demo roster shipped in config/ loads, every phone in E.164")
  void demoRoster() {
    Roster roster = RosterLoader.load(Path.of("config/roster.yaml"));

    assertThat(roster.staff()).isNotEmpty().allSatisfy(s -> assertThat(s.phone()).matches("\\+[1-9][0-9]{6,14}"));
    assertThat(roster.facilities()).isNotEmpty();
  }

  @Test
  @DisplayName("an invalid phone is refused with the row and the field")
  void invalidPhone() {
    assertThat(rejected("invalid-phone.yaml")).contains("staff[1]").contains("'bob'").contains("phone").contains("'555-12'");
  }

  @Test
  @DisplayName("a facility that is not in the roster is refused with the row and the field")
  void unknownFacility() {
    assertThat(rejected("unknown-facility.yaml")).contains("staff[1]").contains("facility").contains("'westside'");
  }

  @Test
  @DisplayName("a role that is not in the roles list is refused with the row and the field")
  void unknownRole() {
    assertThat(rejected("unknown-role.yaml")).contains("staff[1]").contains("roles").contains("'chief-wizard'");
  }

  @Test
  @DisplayName("a person without a name is refused with the row and the field")
  void missingName() {
    assertThat(rejected("missing-name.yaml")).contains("staff[1]").contains("name: is required");
  }

  @Test
  @DisplayName("two people whose numbers normalise to the same phone are refused, naming both and the phone")
  void duplicatePhone() {
    assertThat(rejected("duplicate-phone.yaml")).contains("phone").contains("bob").contains("ann");
  }

  @Test
  @DisplayName("two people with the same id are refused, naming the id: all-clears are sent once per staff id")
  void duplicateId() {
    assertThat(rejected("duplicate-id.yaml")).contains("id").contains("'ann'");
  }

  @Test
  @DisplayName("a file that is not a mapping is refused")
  void notAMapping(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("roster.yaml"), "- just\n- a list\n");

    RosterException e = assertThrows(RosterException.class, () -> RosterLoader.load(file));
    assertThat(e.getMessage()).startsWith(file.toString()).contains("must be a mapping");
  }

  @Test
  @DisplayName("a roster without a staff list is refused, naming staff")
  void missingStaff(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("roster.yaml"), """
        facilities:
          - {id: general, name: General, type: hospital}
        roles: [rn]
        """);

    RosterException e = assertThrows(RosterException.class, () -> RosterLoader.load(file));
    assertThat(e.getMessage()).contains("staff: must be a list");
  }
}
