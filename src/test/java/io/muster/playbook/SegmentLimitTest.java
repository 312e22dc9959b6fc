package io.muster.playbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import io.muster.common.Segments;
import io.muster.playbook.domain.Messages;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.Template;
import io.muster.roster.RosterLoader;
import io.muster.roster.domain.Roster;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every message a playbook can send must fit in {@link PlaybookLoader#MAX_SEGMENTS} SMS, sized with
 * long sample values and framed as the engine frames it; a longer one is refused at its line.
 */
class SegmentLimitTest {
  private static final Set<String> ROLES = Set.of("incident-commander", "rn-float-pool", "house-supervisor");
  /**
   * "DRILL - [AB3CD] ": how every sample message starts; 18 septets, not 16, for '[' and ']' are in
   * the GSM-7 extension table.
   */
  private static final int FRAME = Segments.length("DRILL - [AB3CD] ");
  private static final String ACK = " Reply 1 to acknowledge.";
  /** The most septets 3 GSM-7 segments hold. */
  private static final int LIMIT = 3 * Segments.GSM7_PER_SEGMENT;

  private static final String ONE_PAGE = """
      id: one-page
      name: %s
      severity: critical
      steps:
        - page:
            to: [incident-commander]
            ack: %s
            say: "%s"
      stand-down:
        say: "ALL CLEAR"
      """;

  private static Path fixture(String name) {
    try {
      return Path.of(SegmentLimitTest.class.getResource("/playbooks-segments/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String refused(String name) {
    Path file = fixture(name);
    PlaybookException e = assertThrows(PlaybookException.class, () -> PlaybookLoader.load(file, ROLES));
    assertThat(e.getMessage()).startsWith(file.toString()).contains("the limit is 3");
    return e.getMessage();
  }

  private static Playbook onePage(Path dir, String name, boolean ack, String say) throws IOException {
    Path file = Files.writeString(dir.resolve("one-page.yaml"), ONE_PAGE.formatted(name, ack, say));
    return PlaybookLoader.load(file, ROLES);
  }

  private static PlaybookException onePageRefused(Path dir, String name, boolean ack, String say) {
    return assertThrows(PlaybookException.class, () -> onePage(dir, name, ack, say));
  }

  @Test
  @DisplayName("the frame's brackets are GSM-7 extension characters: \"DRILL - [AB3CD] \" is 18 septets")
  void frameCost() {
    assertThat(FRAME).isEqualTo(18);
  }

  @Test
  @DisplayName("the limit is 3 segments; the sample facility name is 40 characters, the summary 160, both GSM-7")
  void samples() {
    assertThat(PlaybookLoader.MAX_SEGMENTS).isEqualTo(3);
    assertThat(PlaybookLoader.SAMPLE_FACILITY).hasSize(40);
    assertThat(PlaybookLoader.SAMPLE_SUMMARY).hasSize(160);
    assertThat(Segments.encoding(PlaybookLoader.SAMPLE_FACILITY + PlaybookLoader.SAMPLE_SUMMARY))
        .isEqualTo(Segments.Encoding.GSM7);
  }

  @Test
  @DisplayName("the sample values cover every placeholder a template may use")
  void sampleValuesCoverEveryPlaceholder() {
    assertThat(PlaybookLoader.sampleValues("Fire").keySet()).isEqualTo(Template.PLACEHOLDERS);
    assertThat(PlaybookLoader.sampleValues("Fire"))
        .containsEntry("incident", "Fire").containsEntry("ref", "AB3CD").containsEntry("severity", "critical");
  }

  @Test
  @DisplayName("the shipped library and every integration-test playbook fit")
  void shippedPlaybooksFit() {
    Roster demo = RosterLoader.load(Path.of("config/roster.yaml"));
    assertThat(PlaybookLoader.lint(Path.of("playbooks"), demo.roles())).isEmpty();

    Roster it = RosterLoader.load(Path.of("src/test/resources/it/roster.yaml"));
    assertThat(PlaybookLoader.lint(Path.of("src/test/resources/it/playbooks"), it.roles())).isEmpty();
    assertThat(PlaybookLoader.lint(Path.of("src/test/resources/it/playbooks-failover"), it.roles())).isEmpty();

    Roster flow = RosterLoader.load(Path.of("src/test/resources/it/roster-flow.yaml"));
    assertThat(PlaybookLoader.lint(Path.of("src/test/resources/it/playbooks-flow"), flow.roles())).isEmpty();
    assertThat(PlaybookLoader.lint(Path.of("src/test/resources/it/playbooks-flow/reminder"), flow.roles())).isEmpty();
  }

  @Test
  @DisplayName("a playbook with every kind of message, each long but within 3 SMS, loads")
  void fits() {
    Playbook p = PlaybookLoader.load(fixture("fits.yaml"), ROLES);
    assertThat(p.steps()).hasSize(2);
    assertThat(p.tasks()).hasSize(1);
    assertThat(p.reminder()).isNotNull();
  }

  @Test
  @DisplayName("a page of 4 SMS is refused at its say line, naming the count, the encoding and the limit")
  void pageTooLong() {
    assertThat(refused("page-too-long.yaml"))
        .contains("page-too-long.yaml:10: steps[0].page.say: this message would take 4 SMS segments (GSM-7);"
            + " the limit is 3")
        .contains("40-character facility name").contains("160-character summary");
  }

  @Test
  @DisplayName("one curly apostrophe makes a page UCS-2: 4 SMS, refused, naming the character")
  void pageUcs2() {
    assertThat(refused("page-ucs2.yaml"))
        .contains("page-ucs2.yaml:9: steps[0].page.say: this message would take 4 SMS segments (UCS-2)")
        .contains("'\u2019' is not in the GSM-7 alphabet");
  }

  @Test
  @DisplayName("the same page with a straight apostrophe is GSM-7 and loads")
  void pageGsmApostrophe(@TempDir Path dir) throws IOException {
    assertThat(onePage(dir, "Fire", false, "Fire at {facility}: {summary}. Don't use the elevators.").steps())
        .hasSize(1);
  }

  @Test
  @DisplayName("a rollcall whose question fits but whose answer menu does not is refused at its ask line")
  void rollcallMenu() {
    assertThat(refused("rollcall-too-long.yaml"))
        .contains("rollcall-too-long.yaml:11: steps[1].rollcall.ask: this message would take 4 SMS segments (GSM-7)");
  }

  @Test
  @DisplayName("a task whose OVERDUE page takes 4 SMS is refused at its do line")
  void taskOverdue() {
    assertThat(refused("task-too-long.yaml"))
        .contains("task-too-long.yaml:16: ")
        .contains(".do: this message would take 4 SMS segments (GSM-7)");
  }

  @Test
  @DisplayName("a reminder of 4 SMS is refused at its say line")
  void reminder() {
    assertThat(refused("reminder-too-long.yaml"))
        .contains("reminder-too-long.yaml:11: reminders.say: this message would take 4 SMS segments (GSM-7)");
  }

  @Test
  @DisplayName("a stand-down of 4 SMS is refused at its say line")
  void standDown() {
    assertThat(refused("stand-down-too-long.yaml"))
        .contains("stand-down-too-long.yaml:9: stand-down.say: this message would take 4 SMS segments (GSM-7)");
  }

  @Test
  @DisplayName("exactly 459 septets framed (3 full segments) load; 460 are refused")
  void boundary(@TempDir Path dir) throws IOException {
    // "DRILL - [AB3CD] " + "St. Elizabeth…" (40) + " " + k letters
    int k = LIMIT - FRAME - 41;
    assertThat(onePage(dir, "Fire", false, "{facility} " + "x".repeat(k)).steps()).hasSize(1);
    assertThat(onePageRefused(dir, "Fire", false, "{facility} " + "x".repeat(k + 1)).getMessage())
        .contains("one-page.yaml:8: steps[0].page.say: this message would take 4 SMS segments (GSM-7)");
  }

  @Test
  @DisplayName("an acknowledged page counts its ' Reply 1 to acknowledge.'")
  void ackSuffix(@TempDir Path dir) throws IOException {
    String say = "x".repeat(LIMIT - FRAME - ACK.length() + 1);
    assertThat(onePage(dir, "Fire", false, say).steps()).hasSize(1);
    assertThat(onePageRefused(dir, "Fire", true, say).getMessage()).contains("4 SMS segments");
    assertThat(onePage(dir, "Fire", true, say.substring(1)).steps()).hasSize(1);
  }

  @Test
  @DisplayName("the loader sizes a page exactly as Messages.page renders it for a drill")
  void sizedAsMessagesPage(@TempDir Path dir) throws IOException {
    Incident drill = new Incident("i", "AB3CD", "fire", "f", PlaybookLoader.SAMPLE_SUMMARY, Severity.CRITICAL, true,
        IncidentStatus.ACTIVE, Instant.EPOCH, "test", null, null);
    String say = "{incident} ({severity}) at {facility}: {summary}. " + "x".repeat(178);
    String name = "Fire";
    while (true) {
      // Grow the name (rendered by {incident}) until the loader refuses: the page just before was 3 SMS.
      Playbook p;
      try {
        p = onePage(dir, name, true, say);
      } catch (PlaybookException e) {
        assertThat(e.getMessage()).contains("4 SMS segments");
        break;
      }
      String sms = Messages.page(drill, p, PlaybookLoader.SAMPLE_FACILITY, (PageStep) p.steps().get(0));
      assertThat(Segments.count(sms)).as(sms).isLessThanOrEqualTo(3);
      assertThat(sms).startsWith("DRILL - [AB3CD] " + name + " (critical) at " + PlaybookLoader.SAMPLE_FACILITY);
      name += "e";
    }
    String longest = name.substring(0, name.length() - 1);
    Playbook p = onePage(dir, longest, true, say);
    String sms = Messages.page(drill, p, PlaybookLoader.SAMPLE_FACILITY, (PageStep) p.steps().get(0));
    assertThat(Segments.length(sms)).isEqualTo(LIMIT);
    assertThat(Segments.count(sms)).isEqualTo(3);
  }

  @Test
  @DisplayName("the summary is sized at 160 characters: two fit in a page, three do not")
  void summarySized(@TempDir Path dir) throws IOException {
    assertThat(onePage(dir, "Fire", false, "{summary} {summary}").steps()).hasSize(1);
    assertThat(onePageRefused(dir, "Fire", false, "{summary} {summary} {summary}").getMessage())
        .contains("4 SMS segments");
  }

  @Test
  @DisplayName("extension characters in a template count two septets")
  void extensionCharacters(@TempDir Path dir) throws IOException {
    int letters = LIMIT - FRAME - 40; // 40 characters of the extension table take 80 septets
    assertThat(onePage(dir, "Fire", false, "x".repeat(letters) + "a".repeat(40)).steps()).hasSize(1);
    assertThat(onePageRefused(dir, "Fire", false, "x".repeat(letters) + "|".repeat(40)).getMessage())
        .contains("4 SMS segments (GSM-7)");
    assertThat(onePage(dir, "Fire", false, "x".repeat(letters - 40) + "|".repeat(40)).steps()).hasSize(1);
  }

  @Test
  @DisplayName("a playbook without a name, with an unknown role and a long page, is refused for the role")
  void otherErrorsFirst(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("both.yaml"), """
        id: both
        severity: critical
        steps:
          - page:
              to: [chief-wizard]
              say: "%s"
        stand-down:
          say: "ALL CLEAR"
        """.formatted("x".repeat(500)));
    PlaybookException e = assertThrows(PlaybookException.class, () -> PlaybookLoader.load(file, ROLES));
    assertThat(e.getMessage()).contains("'chief-wizard'");
  }

  @Test
  @DisplayName("every fixture but fits.yaml is refused for its size alone")
  void fixturesAreOtherwiseValid() throws IOException {
    try (Stream<Path> files = Files.list(fixture("fits.yaml").getParent())) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted().toList()).containsExactly("fits.yaml",
          "page-too-long.yaml", "page-ucs2.yaml", "reminder-too-long.yaml", "rollcall-too-long.yaml",
          "stand-down-too-long.yaml", "task-too-long.yaml");
    }
    assertThat(PlaybookLoader.lint(fixture("fits.yaml").getParent(), ROLES)).hasSize(6)
        .allSatisfy(problem -> assertThat(problem).contains("SMS segments").contains("the limit is 3"));
  }
}
