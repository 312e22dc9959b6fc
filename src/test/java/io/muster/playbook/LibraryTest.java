package io.muster.playbook;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.playbook.domain.Condition;
import io.muster.playbook.domain.PageStep;
import io.muster.playbook.domain.Playbook;
import io.muster.playbook.domain.Reminder;
import io.muster.playbook.domain.RollcallStep;
import io.muster.playbook.domain.Step;
import io.muster.playbook.domain.TaskDef;
import io.muster.roster.RosterLoader;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.FacilityType;
import io.muster.roster.domain.Roster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The playbook library shipped in playbooks/, checked against the demo roster in config/. */
class LibraryTest {
  private static final Path LIBRARY = Path.of("playbooks");
  private static final Roster ROSTER = RosterLoader.load(Path.of("config/roster.yaml"));
  private static final int SMS_LIMIT = 300;

  /** Long-ish values: the longest demo facility name, a 60-character summary, the longest severity. */
  private static Map<String, String> sample(Playbook playbook) {
    String facility = ROSTER.facilities().stream().map(Facility::name)
        .max(Comparator.comparingInt(String::length)).filter(n -> n.length() > 23).orElse("Muster General Hospital");
    String summary = "Multi-vehicle crash on I-93 northbound, about 20 hurt, ETA 9";
    return Map.of("facility", facility, "summary", summary, "ref", "AB3CD", "incident", playbook.name(),
        "severity", "critical");
  }

  /** How every SMS starts for a drill (the longer case): "DRILL - [REF] ". */
  private static String framed(String text) {
    return "DRILL - [AB3CD] " + text;
  }

  private static Map<String, Playbook> library() {
    return PlaybookLoader.loadDir(LIBRARY, ROSTER.roles());
  }

  @Test
  @DisplayName("every playbook in playbooks/ lints clean against the roles of the demo roster")
  void lintsClean() {
    assertThat(PlaybookLoader.lint(LIBRARY, ROSTER.roles())).isEmpty();
    assertThat(library()).isNotEmpty();
  }

  @Test
  @DisplayName("the library has at least 14 playbooks, covering the incidents an emergency manager expects")
  void coverage() {
    Map<String, Playbook> playbooks = library();

    assertThat(playbooks).hasSizeGreaterThanOrEqualTo(14);
    assertThat(playbooks).containsKeys("mass-casualty", "fire", "evacuation", "shelter-in-place", "ehr-downtime",
        "power-outage", "water-disruption", "severe-weather", "active-threat", "infant-abduction",
        "hazardous-materials", "surge-capacity", "infectious-disease");
    assertThat(playbooks.values()).anySatisfy(p -> assertThat(p.appliesTo()).containsExactly(FacilityType.CLINIC));
    assertThat(playbooks.values())
        .anySatisfy(p -> assertThat(p.appliesTo()).containsExactly(FacilityType.NURSING_HOME));
  }

  @Test
  @DisplayName("each file is named after its playbook's id")
  void fileNamesMatchIds() throws Exception {
    try (var files = Files.list(LIBRARY)) {
      List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList();
      assertThat(names).containsExactlyElementsOf(library().keySet());
    }
  }

  @Test
  @DisplayName("every playbook uses the grammar: positions, an acknowledged page, tasks, a reminder")
  void demoWorthy() {
    assertThat(library().values()).allSatisfy(p -> {
      assertThat(p.positions()).as(p.id() + " positions").containsKey("incident-commander");
      assertThat(p.steps()).as(p.id() + " acknowledged page")
          .anySatisfy(s -> assertThat(s).isInstanceOfSatisfying(PageStep.class,
              page -> assertThat(page.ack().then()).isNotEmpty()));
      assertThat(p.tasks()).as(p.id() + " tasks").isNotEmpty();
      assertThat(p.reminder()).as(p.id() + " reminder").isNotNull();
    });
    assertThat(library().values().stream().flatMap(p -> p.steps().stream()).filter(RollcallStep.class::isInstance))
        .as("rollcalls").hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName("every playbook pages the incident commander in a step of its own, with escalation: one reply"
      + " acknowledges a whole step, so nobody else's reply may stop the IC's escalation")
  void incidentCommanderPagedAlone() {
    assertThat(library().values()).allSatisfy(p -> assertThat(p.steps()).as(p.id())
        .anySatisfy(s -> assertThat(s).isInstanceOfSatisfying(PageStep.class, page -> {
          assertThat(page.to()).containsExactly("incident-commander");
          assertThat(page.when()).isEqualTo(Condition.ALWAYS);
          assertThat(page.ack().required()).isTrue();
          assertThat(page.ack().then()).isNotEmpty();
        })));
  }

  @Test
  @DisplayName("every message renders under 300 characters with long sample values, framing included")
  void messagesFitInOneSms() {
    for (Playbook p : library().values()) {
      Map<String, String> values = sample(p);
      for (Step step : p.steps()) {
        if (step instanceof PageStep page) {
          String sms = framed(page.say().render(values)) + (page.ack().required() ? " Reply 1 to acknowledge." : "");
          assertThat(sms).as(p.id() + " step " + step.id()).hasSizeLessThan(SMS_LIMIT);
        } else if (step instanceof RollcallStep rollcall) {
          String sms = framed(rollcall.ask().render(values) + " " + rollcall.menu() + ".");
          assertThat(sms).as(p.id() + " rollcall " + step.id()).hasSizeLessThan(SMS_LIMIT);
        }
      }
      for (TaskDef task : p.tasks()) {
        String sms = framed("OVERDUE task (" + task.owner() + "): " + task.text().render(values));
        assertThat(sms).as(p.id() + " task " + task.id()).hasSizeLessThan(SMS_LIMIT);
      }
      if (p.reminder() != null) {
        assertThat(framed(p.reminder().say().render(values))).as(p.id() + " reminder").hasSizeLessThan(SMS_LIMIT);
      }
      assertThat(framed(p.standDown().render(values))).as(p.id() + " stand-down").hasSizeLessThan(SMS_LIMIT)
          .startsWith("DRILL - [AB3CD] ALL CLEAR");
    }
  }

  @Test
  @DisplayName("every position paged or owning a task is filled by someone in the demo roster where the playbook applies")
  void positionsAreFilled() {
    for (Playbook p : library().values()) {
      Set<String> used = new LinkedHashSet<>();
      p.tasks().forEach(t -> used.add(t.owner()));
      for (Targets t : targets(p)) {
        t.names().stream().filter(p.positions()::containsKey).forEach(used::add);
      }
      for (String position : used) {
        assertThat(facilities(p, Condition.ALWAYS))
            .as(p.id() + ": position " + position + " (roles " + p.positions().get(position) + ")")
            .anySatisfy(f -> assertThat(ROSTER.holding(f.id(), p.positions().get(position))).isNotEmpty());
      }
    }
  }

  @Test
  @DisplayName("every role or position a step, escalation, widening or reminder names reaches someone where it applies")
  void everyTargetReachesSomeone() {
    for (Playbook p : library().values()) {
      for (Targets t : targets(p)) {
        for (String name : t.names()) {
          List<String> roles = p.positions().getOrDefault(name, List.of(name));
          assertThat(facilities(p, t.when()))
              .as(p.id() + " " + t.where() + ": " + name)
              .anySatisfy(f -> assertThat(ROSTER.holding(f.id(), roles)).isNotEmpty());
        }
      }
    }
  }

  @Test
  @DisplayName("every task has an owner at every demo facility where the task applies")
  void taskOwnersEverywhere() {
    for (Playbook p : library().values()) {
      for (TaskDef task : p.tasks()) {
        for (Facility f : facilities(p, task.when())) {
          assertThat(ROSTER.holding(f.id(), p.positions().get(task.owner())))
              .as(p.id() + " task " + task.id() + " at " + f.id() + ": " + task.owner()).isNotEmpty();
        }
      }
    }
  }

  @Test
  @DisplayName("the annotated example in playbooks/README.md is the library's mass-casualty playbook")
  void readmeExampleIsTheRealOne(@TempDir Path dir) throws IOException {
    String readme = Files.readString(LIBRARY.resolve("README.md"));
    int start = readme.indexOf("```yaml\n") + "```yaml\n".length();
    String example = readme.substring(start, readme.indexOf("```", start));
    Path file = Files.writeString(dir.resolve("mass-casualty.yaml"), example);

    assertThat(PlaybookLoader.load(file, ROSTER.roles())).isEqualTo(library().get("mass-casualty"));
  }

  /** The demo facilities a playbook applies to, narrowed by a step's facility condition. */
  private static List<Facility> facilities(Playbook p, Condition when) {
    List<Facility> out = ROSTER.facilities().stream()
        .filter(f -> p.appliesTo().contains(f.type()))
        .filter(f -> when.facility().isEmpty() || when.facility().contains(f.type()))
        .toList();
    assertThat(out).as(p.id() + ": a demo facility it applies to").isNotEmpty();
    return out;
  }

  private record Targets(String where, List<String> names, Condition when) { }

  /** Every list of roles or positions the playbook sends to, with the condition it runs under. */
  private static List<Targets> targets(Playbook p) {
    List<Targets> out = new ArrayList<>();
    for (Step step : p.steps()) {
      if (step instanceof PageStep page) {
        out.add(new Targets(step.id(), page.to(), step.when()));
        for (List<String> level : page.ack().then()) {
          out.add(new Targets(step.id() + " escalation", level, step.when()));
        }
      } else if (step instanceof RollcallStep rollcall) {
        out.add(new Targets(step.id(), rollcall.to(), step.when()));
        for (RollcallStep.Widen w : rollcall.widen()) {
          out.add(new Targets(step.id() + " widen after " + w.after(), w.to(), step.when()));
        }
      }
    }
    Reminder reminder = p.reminder();
    if (reminder != null) {
      out.add(new Targets("reminders", reminder.to(), Condition.ALWAYS));
    }
    return out;
  }
}
