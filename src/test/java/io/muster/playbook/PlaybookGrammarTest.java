package io.muster.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.muster.incident.domain.Severity;
import io.muster.playbook.domain.Condition;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Phase;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.ReadinessStep;
import io.muster.playbook.domain.RollcallStep;
import io.muster.playbook.domain.Step;
import io.muster.playbook.domain.TaskDef;
import io.muster.roster.domain.FacilityType;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The playbook grammar: every kind of mistake is refused with {@code file:line: path: reason},
 * pointing at the line to fix; a playbook using every construct loads with the structure it says.
 */
class PlaybookGrammarTest {
  private static final Set<String> ROLES = Set.of("incident-commander", "administrator-on-call", "house-supervisor",
      "ed-charge-nurse", "ed-physician", "rn-float-pool", "rn-off-duty", "rn-per-diem", "security-lead",
      "safety-officer", "chief-nursing-officer", "facilities-engineer");

  private static Path resource(String name) {
    try {
      return Path.of(PlaybookGrammarTest.class.getResource("/playbooks-grammar/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing fixture " + name, e);
    }
  }

  private static Arguments refused(String what, String fixture, int line, String path, String reason) {
    return Arguments.of(Named.of(what, fixture), line, path, reason);
  }

  static Stream<Arguments> mistakes() {
    return Stream.of(
        refused("a YAML syntax error", "yaml-syntax", 3, "not valid YAML", "mapping values are not allowed here"),
        refused("an unknown top-level field", "unknown-top-field", 4, "priority",
            "unknown field 'priority'; expected one of [applies-to, id, name, positions, reminders, severity,"
                + " stand-down, steps, tasks]"),
        refused("an unknown field in a page", "unknown-page-field", 9, "steps[0].page.retries",
            "unknown field 'retries'; expected one of [ack, say, to]"),
        refused("an unknown field in an ack", "unknown-ack-field", 12, "steps[0].page.ack.within",
            "unknown field 'within'; expected one of [call, every, repeat, required, then]"),
        refused("an unknown field in a rollcall", "unknown-rollcall-field", 13, "steps[0].rollcall.quorum",
            "unknown field 'quorum'"),
        refused("an unknown field in a rollcall answer", "unknown-answer-field", 13,
            "steps[0].rollcall.answers.2.colour", "unknown field 'colour'; expected one of [eta, say]"),
        refused("an unknown field in a widening", "unknown-widen-field", 15, "steps[0].rollcall.widen[1].roles",
            "unknown field 'roles'; expected one of [after, to]"),
        refused("an unknown field in a task", "unknown-task-field", 13, "tasks.immediate[0].priority",
            "unknown field 'priority'"),
        refused("an unknown field in a condition", "unknown-when-field", 8, "steps[0].when.weather",
            "unknown field 'weather'; expected one of [drill, facility, severity]"),
        refused("an unknown field in reminders", "unknown-reminders-field", 15, "reminders.channel",
            "unknown field 'channel'"),
        refused("an unknown role in 'to'", "unknown-role", 7, "steps[0].page.to",
            "unknown role or position 'chief-wizard'"),
        refused("an unknown role on its own line of a block list in 'to'", "unknown-role-block-list", 10,
            "steps[0].page.to", "unknown role or position 'chief-wizard'"),
        refused("a HICS position paged but not activated", "position-not-activated", 9, "steps[0].page.to",
            "unknown role or position 'operations-section-chief' (a position must be listed under positions"
                + " to be paged)"),
        refused("an unknown HICS position under positions", "unknown-position", 6, "positions.chief-of-fun",
            "unknown HICS position 'chief-of-fun'"),
        refused("an unknown role filling a position (on its own line)", "unknown-position-role", 7,
            "positions.incident-commander", "unknown role 'chief-wizard'"),
        refused("an unknown placeholder in say", "placeholder-say", 8, "steps[0].page.say",
            "unknown placeholder {patient}"),
        refused("an unknown placeholder in ask", "placeholder-ask", 8, "steps[0].rollcall.ask",
            "unknown placeholder {ward}"),
        refused("an unknown placeholder in do", "placeholder-do", 16, "tasks.immediate[0].do",
            "unknown placeholder {patient}"),
        refused("an unknown placeholder in stand-down", "placeholder-stand-down", 10, "stand-down.say",
            "unknown placeholder {staff}"),
        refused("a task owned by a position that is not activated", "task-owner-not-activated", 14,
            "tasks.immediate[1].owner", "'safety-officer' is not a position this playbook activates"),
        refused("a duplicate step id", "duplicate-step-id", 9, "steps[1].id", "step id 'page-command' must be unique"),
        refused("a duplicate task id, across phases", "duplicate-task-id", 15, "tasks.intermediate[0].id",
            "task id 'open-command' is used twice"),
        refused("a bad duration ('5 minutes')", "bad-duration", 9, "steps[0].page.ack.every",
            "'5 minutes' is not a duration such as 30s, 5m, 2h or 1h30m"),
        refused("a bad severity", "bad-severity", 3, "severity",
            "must be one of low, moderate, high, critical; got 'urgent'"),
        refused("a bad severity in a condition", "bad-when-severity", 6, "steps[0].when.severity", "got 'extreme'"),
        refused("a bad facility type", "bad-facility-type", 4, "applies-to", "'spaceship' is not a facility type"),
        refused("a rollcall with fewer than two answers", "rollcall-one-answer", 7, "steps[0].rollcall",
            "answers: at least two numbered answers are required"),
        refused("a rollcall without a yes answer", "rollcall-no-yes", 7, "steps[0].rollcall",
            "answers: at least one answer needs an eta"),
        refused("a rollcall needing 0", "rollcall-need-zero", 7, "steps[0].rollcall", "need: must be 1 or more"),
        refused("a rollcall answer numbered 0", "rollcall-answer-zero", 10, "steps[0].rollcall.answers.0",
            "answers are numbered 1 to 9, got '0'"),
        refused("a rollcall answer numbered 10", "rollcall-answer-ten", 12, "steps[0].rollcall.answers.10",
            "answers are numbered 1 to 9, got '10'"),
        refused("a step with two kinds (page and rollcall)", "two-kinds", 5, "steps[0]",
            "a step is exactly one of page, rollcall or readiness"),
        refused("an unknown readiness field", "readiness-unknown-field", 12, "steps[1].readiness.helipad",
            "unknown readiness field 'helipad'; known: [ed-status, ems-traffic, facility-status]"),
        refused("a bad readiness value", "readiness-bad-value", 12, "steps[1].readiness.ed-status",
            "'chaos' is not one of [advisory, closed, diversion, mass-casualty, normal]"),
        refused("an unknown phase", "unknown-phase", 14, "tasks.urgent", "unknown phase 'urgent'"),
        refused("a missing id", "missing-id", 1, "id", "is required"),
        refused("a missing name", "missing-name", 1, "name", "is required"),
        refused("missing steps", "missing-steps", 1, "steps", "is required"),
        refused("a missing stand-down", "missing-stand-down", 1, "stand-down", "is required"),
        refused("a page without 'to'", "missing-page-to", 7, "steps[0].page.to", "is required"),
        refused("a page without 'say'", "missing-page-say", 7, "steps[0].page.say", "is required"));
  }

  @ParameterizedTest(name = "{0} is refused at line {1}")
  @MethodSource("mistakes")
  @DisplayName("a playbook with a mistake is refused with its file, the line to fix, the path and the reason")
  void refusedWithFileAndLine(String fixture, int line, String path, String reason) {
    Path file = resource("bad/" + fixture + ".yaml");

    PlaybookException e = assertThrows(PlaybookException.class, () -> PlaybookLoader.load(file, ROLES));

    assertThat(e.getMessage()).startsWith(file + ":" + line + ": " + path + ": ").contains(reason);
  }

  @Test
  @DisplayName("every fixture of a mistake is exercised by the table above")
  void everyFixtureIsChecked() throws Exception {
    List<String> checked = mistakes().map(a -> ((Named<?>) a.get()[0]).getPayload() + ".yaml").sorted().toList();
    try (Stream<Path> files = java.nio.file.Files.list(resource("bad"))) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).isEqualTo(checked);
    }
  }

  @Test
  @DisplayName("a playbook using every construct loads with the structure it describes")
  void completePlaybook() {
    Playbook pb = PlaybookLoader.load(resource("complete.yaml"), ROLES);

    assertThat(pb.id()).isEqualTo("complete");
    assertThat(pb.name()).isEqualTo("Complete playbook");
    assertThat(pb.severity()).isEqualTo(Severity.CRITICAL);
    assertThat(pb.appliesTo()).containsExactlyInAnyOrder(FacilityType.HOSPITAL, FacilityType.CLINIC);
    assertThat(pb.positions()).containsExactly(
        Map.entry("incident-commander", List.of("incident-commander", "administrator-on-call", "house-supervisor")),
        Map.entry("safety-officer", List.of("safety-officer", "facilities-engineer")),
        Map.entry("planning-section-chief", List.of("house-supervisor")));

    assertThat(pb.steps()).extracting(Step::id)
        .containsExactly("page-command", "step-2", "inform-physicians", "nurses", "doctors", "ed-mci");

    PageStep command = (PageStep) pb.steps().get(0);
    assertThat(command.to()).containsExactly("incident-commander", "ed-charge-nurse");
    assertThat(command.say().text()).isEqualTo("{incident} ({severity}) at {facility}: {summary}. Ref {ref}.");
    assertThat(command.when()).isEqualTo(Condition.ALWAYS);
    assertThat(command.ack()).isEqualTo(new PageStep.Ack(true, 2, Duration.ofMinutes(5),
        List.of(List.of("administrator-on-call", "safety-officer"), List.of("chief-nursing-officer"))));
    assertThat(command.ack().levels()).isEqualTo(3);

    PageStep security = (PageStep) pb.steps().get(1);
    assertThat(security.ack()).as("'ack: true' waits 5m, no repeat, no further level")
        .isEqualTo(new PageStep.Ack(true, 0, Duration.ofMinutes(5), List.of()));

    PageStep physicians = (PageStep) pb.steps().get(2);
    assertThat(physicians.to()).containsExactly("ed-physician");
    assertThat(physicians.ack().required()).isFalse();
    assertThat(physicians.when())
        .isEqualTo(new Condition(Set.of(Severity.HIGH, Severity.CRITICAL), false, Set.of(FacilityType.HOSPITAL)));

    RollcallStep nurses = (RollcallStep) pb.steps().get(3);
    assertThat(nurses.to()).containsExactly("rn-float-pool");
    assertThat(nurses.answers()).containsExactly(
        Map.entry(1, new RollcallStep.Answer("Yes, within 30 min", Duration.ofMinutes(30))),
        Map.entry(2, new RollcallStep.Answer("Yes, within 1h30m", Duration.ofMinutes(90))),
        Map.entry(3, new RollcallStep.Answer("No", null)));
    assertThat(nurses.need()).isEqualTo(4);
    assertThat(nurses.widen()).containsExactly(
        new RollcallStep.Widen(Duration.ofMinutes(10), List.of("rn-off-duty")),
        new RollcallStep.Widen(Duration.ofMinutes(20), List.of("rn-per-diem")));

    RollcallStep doctors = (RollcallStep) pb.steps().get(4);
    assertThat(doctors.when()).isEqualTo(new Condition(null, true, null));
    assertThat(doctors.need()).isEqualTo(1);
    assertThat(doctors.widen()).as("a single widening may be written without a list")
        .containsExactly(new RollcallStep.Widen(Duration.ofMinutes(15), List.of("house-supervisor")));

    assertThat(((ReadinessStep) pb.steps().get(5)).changes()).isEqualTo(
        Map.of("ed-status", "mass-casualty", "ems-traffic", "advisory", "facility-status", "limited"));

    assertThat(pb.tasks()).extracting(TaskDef::id, TaskDef::phase, TaskDef::owner, TaskDef::due).containsExactly(
        tuple("open-command", Phase.IMMEDIATE, "incident-commander",
            Duration.ofMinutes(15)),
        tuple("hazards", Phase.IMMEDIATE, "safety-officer", Duration.ofMinutes(30)),
        tuple("action-plan", Phase.INTERMEDIATE, "planning-section-chief",
            Duration.ofHours(4)),
        tuple("cost-tracking", Phase.EXTENDED, "planning-section-chief",
            Duration.ofDays(1)),
        tuple("after-action", Phase.DEMOBILIZATION, "incident-commander",
            Duration.ofHours(72)));
    assertThat(pb.task("open-command").orElseThrow().text().text()).isEqualTo("Open the command center at {facility}.");
    assertThat(pb.task("open-command").orElseThrow().when()).isEqualTo(Condition.ALWAYS);
    assertThat(pb.task("hazards").orElseThrow().when()).isEqualTo(new Condition(null, null, Set.of(FacilityType.HOSPITAL)));
    assertThat(pb.task("after-action").orElseThrow().when()).isEqualTo(new Condition(null, false, null));

    assertThat(pb.reminder().to()).containsExactly("incident-commander");
    assertThat(pb.reminder().every()).isEqualTo(Duration.ofMinutes(30));
    assertThat(pb.reminder().say().text()).isEqualTo("{incident} at {facility}: status update due.");
    assertThat(pb.standDown().text()).isEqualTo("ALL CLEAR: {incident} at {facility} has ended.");
  }

  @Test
  @DisplayName("lint on a folder with two bad playbooks and one good one reports exactly the two problems")
  void lint() {
    Path dir = resource("lint");

    List<String> problems = PlaybookLoader.lint(dir, ROLES);

    assertThat(problems).hasSize(2);
    assertThat(problems.get(0)).startsWith(dir.resolve("a-unknown-field.yaml") + ":4: priority: unknown field");
    assertThat(problems.get(1))
        .startsWith(dir.resolve("b-bad-duration.yaml") + ":9: steps[0].page.ack.every: '5 minutes' is not a duration");
  }
}
