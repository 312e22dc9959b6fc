package io.muster.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.incident.domain.Severity;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.Template;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlaybookLoaderTest {
  /** The roles of config/roster.yaml, which the shipped playbooks page. */
  private static final Set<String> ROLES = Set.of("incident-commander", "administrator-on-call", "house-supervisor",
      "ed-charge-nurse", "ed-physician", "rn-float-pool", "it-on-call", "facilities-engineer", "security-lead",
      "public-information-officer", "safety-officer", "clinic-manager");

  private static final String VALID = """
      id: %s
      name: Test playbook
      severity: moderate
      steps:
        - page:
            to: [incident-commander]
            say: "Incident at {facility}: {summary}"
      stand-down:
        say: "ALL CLEAR at {facility}"
      """;

  private static Path fixture(String name) {
    try {
      return Path.of(PlaybookLoaderTest.class.getResource("/playbooks-bad/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static PlaybookException rejected(String name) {
    Path file = fixture(name);
    PlaybookException e = org.junit.jupiter.api.Assertions.assertThrows(PlaybookException.class,
        () -> PlaybookLoader.load(file, ROLES));
    assertThat(e.getMessage()).as("names the file").startsWith(file.toString()).contains(name);
    return e;
  }

  @Test
  @DisplayName("the two shipped playbooks load, by id")
  void shippedPlaybooks() {
    Map<String, Playbook> playbooks = PlaybookLoader.loadDir(Path.of("src/test/resources/it/playbooks"), ROLES);

    assertThat(playbooks).containsOnlyKeys("ehr-downtime", "mass-casualty");
    Playbook mci = playbooks.get("mass-casualty");
    assertThat(mci.name()).isEqualTo("Mass casualty incident");
    assertThat(mci.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(((PageStep) mci.steps().get(0)).to())
        .containsExactly("incident-commander", "house-supervisor", "ed-charge-nurse", "ed-physician");
    assertThat(((PageStep) mci.steps().get(0)).ack().required()).isTrue();
    assertThat(mci.standDown().text()).startsWith("ALL CLEAR");
    assertThat(playbooks.get("ehr-downtime").severity()).isEqualTo(Severity.HIGH);
    assertThat(((PageStep) playbooks.get("ehr-downtime").steps().get(0)).to()).contains("it-on-call");
  }

  @Test
  @DisplayName("'ack: true' requires an answer; a page step without 'ack' does not")
  void ackDefault(@TempDir Path dir) throws IOException {
    Path defaulted = Files.writeString(dir.resolve("a.yaml"), VALID.formatted("a"));
    Path fyi = Files.writeString(dir.resolve("b.yaml"),
        VALID.formatted("b").replace("say: \"Incident", "ack: false\n      say: \"Incident"));

    assertThat(((PageStep) PlaybookLoader.load(defaulted, ROLES).steps().get(0)).ack().required()).isFalse();
    Path acked = Files.writeString(dir.resolve("c.yaml"),
        VALID.formatted("c").replace("say: \"Incident", "ack: true\n      say: \"Incident"));
    assertThat(((PageStep) PlaybookLoader.load(acked, ROLES).steps().get(0)).ack().required()).isTrue();
    PageStep step = (PageStep) PlaybookLoader.load(fyi, ROLES).steps().get(0);
    assertThat(step.ack().required()).isFalse();
    assertThat(step.say()).isEqualTo(new Template("Incident at {facility}: {summary}"));
  }

  @Test
  @DisplayName("an unknown field is refused with the file, the line and the field")
  void unknownField() {
    assertThat(rejected("unknown-field.yaml").getMessage())
        .contains("unknown-field.yaml:4:")
        .contains("priority");
  }

  @Test
  @DisplayName("an unknown field inside a page step is refused with its line and name")
  void unknownPageField() {
    assertThat(rejected("unknown-page-field.yaml").getMessage())
        .contains("unknown-page-field.yaml:8:")
        .contains("retries");
  }

  @Test
  @DisplayName("a role that is not in the roster is refused, naming the step and the role")
  void unknownRole() {
    assertThat(rejected("unknown-role.yaml").getMessage())
        .contains("steps[0].page.to")
        .contains("'chief-wizard'");
  }

  @Test
  @DisplayName("an unknown placeholder is refused, naming the step and the placeholder")
  void unknownPlaceholder() {
    assertThat(rejected("unknown-placeholder.yaml").getMessage())
        .contains("steps[0].page.say")
        .contains("{patient_name}");
  }

  @Test
  @DisplayName("an unknown placeholder in the stand-down message is refused, naming stand-down")
  void unknownStandDownPlaceholder() {
    assertThat(rejected("unknown-stand-down-placeholder.yaml").getMessage())
        .contains("stand-down.say")
        .contains("{staff}");
  }

  @Test
  @DisplayName("a playbook without an id is refused, naming the id")
  void missingId() {
    assertThat(rejected("missing-id.yaml").getMessage()).contains(": id:");
  }

  @Test
  @DisplayName("a playbook with no steps is refused, naming the steps")
  void noSteps() {
    assertThat(rejected("no-steps.yaml").getMessage()).contains(": steps:").contains("at least one step");
  }

  @Test
  @DisplayName("an unknown severity is refused, naming the severity and the value")
  void badSeverity() {
    assertThat(rejected("bad-severity.yaml").getMessage())
        .contains(": severity:")
        .contains("'apocalyptic'");
  }

  @Test
  @DisplayName("two files in a folder with the same id are refused, naming the second file and the id")
  void duplicateId(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a-first.yaml"), VALID.formatted("chemical-spill"));
    Path second = Files.writeString(dir.resolve("b-second.yaml"), VALID.formatted("chemical-spill"));

    assertThatThrownBy(() -> PlaybookLoader.loadDir(dir, ROLES))
        .isInstanceOf(PlaybookException.class)
        .hasMessageStartingWith(second.toString())
        .hasMessageContaining("'chemical-spill'")
        .hasMessageContaining("already used");
  }

  @Test
  @DisplayName("a folder loads every .yaml file and ignores other files")
  void loadDirFiltersYaml(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("one.yaml"), VALID.formatted("one"));
    Files.writeString(dir.resolve("two.yaml"), VALID.formatted("two"));
    Files.writeString(dir.resolve("README.md"), "not a playbook: {{{");

    assertThat(PlaybookLoader.loadDir(dir, ROLES)).containsOnlyKeys("one", "two");
  }

  @Test
  @DisplayName("a folder with no playbooks is refused")
  void emptyDir(@TempDir Path dir) {
    assertThatThrownBy(() -> PlaybookLoader.loadDir(dir, ROLES))
        .isInstanceOf(PlaybookException.class)
        .hasMessageContaining("no playbooks");
  }

  @Test
  @DisplayName("one bad file makes the whole folder fail, naming that file")
  void badFileInDir(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("good.yaml"), VALID.formatted("good"));
    Files.copy(fixture("unknown-role.yaml"), dir.resolve("unknown-role.yaml"));

    assertThatThrownBy(() -> PlaybookLoader.loadDir(dir, ROLES))
        .isInstanceOf(PlaybookException.class)
        .hasMessageContaining("unknown-role.yaml")
        .hasMessageContaining("chief-wizard");
  }
}
