package io.muster.playbook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import io.muster.notify.domain.Notification;
import io.muster.notify.domain.Notification.Kind;
import io.muster.roster.domain.Facility;
import io.muster.roster.domain.FacilityType;
import io.muster.roster.domain.Roster;
import io.muster.roster.domain.Staff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The playbook's semantics under a virtual clock: every decision of the engine is applied to an
 * in-memory run the way the database applies it, and timers fire at their due time.
 */
class PlaybookEngineTest {
  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  private static final Facility GENERAL = new Facility("general", "Muster General", FacilityType.HOSPITAL);
  private static final Facility NORTH = new Facility("north", "North Clinic", FacilityType.CLINIC);

  private static final List<Staff> STAFF = List.of(
      staff("ic", "Ines Cole", 1, "general", "incident-commander"),
      staff("aoc", "Arlo Ortiz", 2, "general", "administrator-on-call"),
      staff("hs", "Hana Sato", 3, "general", "house-supervisor"),
      staff("cno", "Cora Novak", 4, "general", "chief-nursing-officer"),
      staff("edn1", "Eli Dunn", 5, "general", "ed-charge-nurse"),
      staff("edn2", "Emma Diaz", 6, "general", "ed-charge-nurse"),
      staff("rn1", "Rita Nash", 7, "general", "rn-float-pool"),
      staff("rn2", "Raj Nair", 8, "general", "rn-float-pool"),
      staff("rn3", "Rosa Nunez", 9, "general", "rn-float-pool"),
      staff("rn4", "Ray North", 10, "general", "rn-off-duty"),
      staff("rn5", "Rina Noor", 11, "general", "rn-off-duty"),
      staff("rn6", "Remy Ng", 12, "general", "rn-per-diem"),
      staff("sec", "Sam Este", 13, "general", "security-lead"),
      staff("cic", "Cleo Ivers", 21, "north", "incident-commander", "safety-officer"),
      staff("crn", "Cal Reyes", 22, "north", "rn-float-pool", "ed-charge-nurse"));

  private static final Roster ROSTER = new Roster(List.of(GENERAL, NORTH),
      Set.of("incident-commander", "administrator-on-call", "house-supervisor", "chief-nursing-officer",
          "ed-charge-nurse", "rn-float-pool", "rn-off-duty", "rn-per-diem", "security-lead", "safety-officer",
          "it-on-call"),
      STAFF);

  private static final String REF = "MC-7";

  // ---- building blocks

  private static Staff staff(String id, String name, int n, String facility, String... roles) {
    return new Staff(id, name, "+1555%07d".formatted(n), facility, Set.of(roles));
  }

  private static Incident incident(Severity severity, boolean drill, String facilityId) {
    return new Incident("inc-1", REF, "test", facilityId, "Bus crash on I-5", severity, drill,
        IncidentStatus.ACTIVE, T0, "dana", null, null);
  }

  private static Duration min(long minutes) {
    return Duration.ofMinutes(minutes);
  }

  private static Instant at(long minutes) {
    return T0.plus(min(minutes));
  }

  @SafeVarargs
  private static PageStep.Ack ack(int repeat, long everyMinutes, List<String>... then) {
    return new PageStep.Ack(true, repeat, min(everyMinutes), List.of(then));
  }

  private static PageStep page(String id, List<String> to, String say, PageStep.Ack ack) {
    return new PageStep(id, null, to, new Template(say), ack);
  }

  private static PageStep page(String id, Condition when, List<String> to) {
    return new PageStep(id, when, to, new Template("Alert at {facility}."), PageStep.Ack.NONE);
  }

  private static RollcallStep nurses(int need, RollcallStep.Widen... widen) {
    Map<Integer, RollcallStep.Answer> answers = Map.of(
        1, new RollcallStep.Answer("Yes, within 30 min", min(30)),
        2, new RollcallStep.Answer("Yes, within 60 min", min(60)),
        3, new RollcallStep.Answer("No", null));
    return new RollcallStep("nurses", null, List.of("rn-float-pool"),
        new Template("Nurses needed at {facility}. Can you come in?"), answers, need, List.of(widen));
  }

  private static RollcallStep.Widen widen(long afterMinutes, String... to) {
    return new RollcallStep.Widen(min(afterMinutes), List.of(to));
  }

  private static TaskDef task(String id, Phase phase, String owner, String text, Duration due) {
    return new TaskDef(id, phase, owner, new Template(text), due, null);
  }

  private static Playbook playbook(Map<String, List<String>> positions, List<Step> steps, List<TaskDef> tasks,
                                   Reminder reminder) {
    return new Playbook("test", "Test incident", Severity.HIGH, null, positions, steps, tasks, reminder,
        new Template("ALL CLEAR at {facility}."));
  }

  private static Playbook playbook(Step... steps) {
    return playbook(Map.of(), List.of(steps), List.of(), null);
  }

  private static RunSimulation run(Playbook playbook) {
    return run(playbook, incident(Severity.HIGH, false, "general"));
  }

  private static RunSimulation run(Playbook playbook, Incident incident) {
    Facility facility = ROSTER.facility(incident.facilityId()).orElseThrow();
    return new RunSimulation(playbook, ROSTER, incident, facility, T0);
  }

  private static Notification pageOf(RunSimulation sim, String staffId) {
    return sim.latest(staffId, Kind.PAGE).orElseThrow(() -> new AssertionError(staffId + " was never paged"));
  }

  private static List<String> answerTallies(RunSimulation sim) {
    return sim.events("rollcall.answered").stream()
        .map(e -> e.payload().get("staffId") + "=" + e.payload().get("tally")).toList();
  }

  // ---- pages and escalation

  @Nested
  @DisplayName("a page that needs an acknowledgement")
  class Escalation {
    @Test
    @DisplayName("one acknowledgement stops the escalation: no further page, its timer cancelled, 'escalation.stopped' recorded")
    void ackStopsEscalation() {
      Playbook pb = playbook(page("page-ed", List.of("ed-charge-nurse"), "ED alert at {facility}: {summary}.",
          ack(2, 5, List.of("administrator-on-call"))));
      RunSimulation sim = run(pb).start();

      assertThat(sim.log()).containsExactly("+0m page L0 edn1", "+0m page L0 edn2");
      assertThat(sim.notifications()).allSatisfy(n -> {
        assertThat(n.body()).isEqualTo("[MC-7] ED alert at Muster General: Bus crash on I-5. Reply 1 to acknowledge.");
        assertThat(n.requiresAck()).isTrue();
        assertThat(n.stepId()).isEqualTo("page-ed");
      });
      assertThat(sim.pendingTimers()).containsExactly(new Plan.Timer(TimerKind.ESCALATE, "page-ed", 0, 0, at(5)));

      sim.advance(min(3));
      sim.ack(pageOf(sim, "edn2"));

      assertThat(sim.events("escalation.stopped")).singleElement().satisfies(e -> {
        assertThat(e.at()).isEqualTo(at(3));
        assertThat(e.payload()).containsEntry("stepId", "page-ed").containsEntry("staffId", "edn2")
            .containsEntry("staffName", "Emma Diaz").containsEntry("level", 0);
      });
      assertThat(sim.pendingTimers()).isEmpty();
      assertThat(sim.events("timers.cancelled")).singleElement()
          .satisfies(e -> assertThat(e.payload()).containsEntry("count", 1));

      sim.advance(Duration.ofHours(12));
      assertThat(sim.log()).containsExactly("+0m page L0 edn1", "+0m page L0 edn2");
      assertThat(sim.eventTypes()).doesNotContain("page.repeated", "page.escalated", "page.unanswered");

      sim.ack(pageOf(sim, "edn1"));
      assertThat(sim.events("escalation.stopped")).as("only the step's first acknowledgement stops it").hasSize(1);
    }

    @Test
    @DisplayName("an acknowledgement at an escalation level stops it there: the next level is never paged")
    void ackAtLaterLevel() {
      Playbook pb = playbook(page("page-ed", List.of("ed-charge-nurse"), "ED alert",
          ack(0, 5, List.of("administrator-on-call"), List.of("house-supervisor"))));
      RunSimulation sim = run(pb).start().advance(min(7));
      assertThat(sim.log()).containsExactly("+0m page L0 edn1", "+0m page L0 edn2", "+5m page L1 aoc");

      sim.ack(pageOf(sim, "aoc"));
      sim.advance(Duration.ofHours(1));

      assertThat(sim.log()).containsExactly("+0m page L0 edn1", "+0m page L0 edn2", "+5m page L1 aoc");
      assertThat(sim.events("escalation.stopped")).singleElement()
          .satisfies(e -> assertThat(e.payload()).containsEntry("staffId", "aoc").containsEntry("level", 1));
      assertThat(sim.eventTypes()).doesNotContain("page.unanswered");
    }

    @Test
    @DisplayName("when nobody answers, each level is paged again 'repeat' times 'every' apart, then the next level, then 'page.unanswered'")
    void nobodyAnswers() {
      Playbook pb = playbook(page("page-ed", List.of("ed-charge-nurse"), "ED alert",
          ack(2, 5, List.of("administrator-on-call"), List.of("house-supervisor"), List.of("chief-nursing-officer"))));
      RunSimulation sim = run(pb).start().advance(Duration.ofHours(12));

      assertThat(sim.log()).containsExactly(
          "+0m page L0 edn1", "+0m page L0 edn2",
          "+5m page L0 edn1", "+5m page L0 edn2",
          "+10m page L0 edn1", "+10m page L0 edn2",
          "+15m page L1 aoc", "+20m page L1 aoc", "+25m page L1 aoc",
          "+30m page L2 hs", "+35m page L2 hs", "+40m page L2 hs",
          "+45m page L3 cno", "+50m page L3 cno", "+55m page L3 cno");
      assertThat(sim.events("page.escalated")).extracting(e -> e.at(), e -> e.payload().get("level"),
              e -> e.payload().get("recipients"))
          .containsExactly(
              tuple(at(15), 1, 1),
              tuple(at(30), 2, 1),
              tuple(at(45), 3, 1));
      assertThat(sim.events("page.repeated")).hasSize(8);
      assertThat(sim.events("page.unanswered")).singleElement().satisfies(e -> {
        assertThat(e.at()).isEqualTo(at(60));
        assertThat(e.payload()).containsEntry("stepId", "page-ed").containsEntry("levels", 4);
      });
      assertThat(sim.pendingTimers()).isEmpty();
    }

    @ParameterizedTest(name = "repeat: {0}")
    @ValueSource(ints = {0, 1, 2})
    @DisplayName("a page step whose roles nobody at the facility holds escalates at once, whatever its repeat")
    void nobodyToPage(int repeat) {
      Playbook pb = playbook(page("page-it", List.of("it-on-call"), "EHR down",
          ack(repeat, 5, List.of("administrator-on-call"))));
      RunSimulation sim = run(pb).start();

      assertThat(sim.notifications()).isEmpty();
      assertThat(sim.events("step.started")).singleElement()
          .satisfies(e -> assertThat(e.payload()).containsEntry("recipients", 0));

      sim.fireDue();

      assertThat(sim.log()).as("level 1 paged at the start, not after waiting for answers nobody can give")
          .containsExactly("+0m page L1 aoc");
      assertThat(sim.events("page.escalated")).singleElement()
          .satisfies(e -> assertThat(e.at()).isEqualTo(T0));
    }

    @Test
    @DisplayName("an escalation level that nobody at the facility holds is passed over at once, to the next level")
    void emptyLevelSkipped() {
      Playbook pb = playbook(page("page-ed", List.of("ed-charge-nurse"), "ED alert",
          ack(2, 5, List.of("it-on-call"), List.of("house-supervisor"))));
      RunSimulation sim = run(pb).start().advance(Duration.ofHours(2));

      assertThat(sim.log()).containsExactly(
          "+0m page L0 edn1", "+0m page L0 edn2", "+5m page L0 edn1", "+5m page L0 edn2",
          "+10m page L0 edn1", "+10m page L0 edn2",
          "+15m page L2 hs", "+20m page L2 hs", "+25m page L2 hs");
      assertThat(sim.events("page.escalated")).extracting(e -> e.at(), e -> e.payload().get("level"))
          .containsExactly(tuple(at(15), 1), tuple(at(15), 2));
      assertThat(sim.events("page.unanswered")).singleElement().satisfies(e -> assertThat(e.at()).isEqualTo(at(30)));
    }

    @Test
    @DisplayName("a page without an acknowledgement is sent once and sets no timer")
    void fyiPage() {
      RunSimulation sim = run(playbook(page("fyi", List.of("security-lead"), "FYI at {facility}", PageStep.Ack.NONE)))
          .start().advance(Duration.ofHours(2));

      assertThat(sim.log()).containsExactly("+0m page L0 sec");
      assertThat(sim.notifications().get(0).body()).isEqualTo("[MC-7] FYI at Muster General");
      assertThat(sim.notifications().get(0).requiresAck()).isFalse();
      assertThat(sim.firedTimers()).isEmpty();
    }
  }

  // ---- rollcalls

  @Nested
  @DisplayName("a rollcall")
  class Rollcalls {
    @Test
    @DisplayName("asks its roles at the facility with the numbered answers")
    void asks() {
      RunSimulation sim = run(playbook(nurses(2))).start();

      assertThat(sim.log()).containsExactly("+0m rollcall L0 rn1", "+0m rollcall L0 rn2", "+0m rollcall L0 rn3");
      assertThat(sim.notifications().get(0).body()).isEqualTo("[MC-7] Nurses needed at Muster General. Can you come in?"
          + " Reply 1 = Yes, within 30 min, 2 = Yes, within 60 min, 3 = No.");
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.OPEN);
    }

    @Test
    @DisplayName("whose tally reaches the need is met, and its widening then asks nobody further")
    void needMet() {
      RunSimulation sim = run(playbook(nurses(2, widen(10, "rn-off-duty")))).start();

      sim.advance(min(2)).answer("rn1", 1);
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.OPEN);
      assertThat(sim.state().tally("nurses")).isEqualTo(1);
      sim.advance(min(2)).answer("rn2", 2);

      assertThat(sim.state().tally("nurses")).isEqualTo(2);
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.MET);
      assertThat(sim.events("rollcall.need-met")).singleElement().satisfies(e -> {
        assertThat(e.at()).isEqualTo(at(4));
        assertThat(e.payload()).containsEntry("stepId", "nurses").containsEntry("tally", 2).containsEntry("need", 2);
      });

      sim.advance(min(30));
      assertThat(sim.firedTimers()).extracting(Plan.Timer::kind).containsExactly(TimerKind.WIDEN);
      assertThat(sim.log(Kind.ROLLCALL)).containsExactly("+0m rollcall L0 rn1", "+0m rollcall L0 rn2",
          "+0m rollcall L0 rn3");
      assertThat(sim.eventTypes()).doesNotContain("rollcall.widened");
    }

    @Test
    @DisplayName("whose need is not met widens at each delay, asking only people not asked before")
    void widens() {
      RunSimulation sim = run(playbook(nurses(3, widen(10, "rn-float-pool", "rn-off-duty"),
          widen(20, "rn-off-duty", "rn-per-diem")))).start();
      sim.advance(min(1)).answer("rn1", 1);
      sim.answer("rn2", 3);

      sim.advance(min(10));
      assertThat(sim.log(Kind.ROLLCALL)).containsExactly("+0m rollcall L0 rn1", "+0m rollcall L0 rn2",
          "+0m rollcall L0 rn3", "+10m rollcall L0 rn4", "+10m rollcall L0 rn5");
      assertThat(sim.events("rollcall.widened")).singleElement().satisfies(e -> {
        assertThat(e.at()).isEqualTo(at(10));
        assertThat(e.payload()).containsEntry("asked", 2).containsEntry("tally", 1).containsEntry("need", 3);
      });

      sim.advance(min(50));
      assertThat(sim.log(Kind.ROLLCALL)).containsExactly("+0m rollcall L0 rn1", "+0m rollcall L0 rn2",
          "+0m rollcall L0 rn3", "+10m rollcall L0 rn4", "+10m rollcall L0 rn5", "+20m rollcall L0 rn6");
      assertThat(sim.to("crn")).as("staff of another facility are never asked").isEmpty();
    }

    @Test
    @DisplayName("counts each person's latest answer: yes then no lowers the tally, no then yes raises it")
    void answersChange() {
      RunSimulation sim = run(playbook(nurses(2, widen(10, "rn-off-duty")))).start();

      sim.answer("rn1", 1);
      sim.answer("rn1", 3);
      assertThat(sim.answers("nurses")).containsOnlyKeys("rn1");
      assertThat(sim.answers("nurses").get("rn1").choice()).isEqualTo(3);
      sim.answer("rn1", 2);
      sim.answer("rn2", 1);
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.MET);
      sim.advance(min(1)).answer("rn2", 3);

      assertThat(answerTallies(sim)).containsExactly("rn1=1", "rn1=0", "rn1=1", "rn2=2", "rn2=1");
      assertThat(sim.state().tally("nurses")).isEqualTo(1);
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.OPEN);
      assertThat(sim.events("rollcall.need-unmet")).singleElement().satisfies(e -> {
        assertThat(e.at()).isEqualTo(at(1));
        assertThat(e.payload()).containsEntry("tally", 1).containsEntry("need", 2);
      });

      sim.advance(min(10));
      assertThat(sim.log(Kind.ROLLCALL)).as("open again, so the widening asks more")
          .endsWith("+10m rollcall L0 rn4", "+10m rollcall L0 rn5");
    }

    @Test
    @DisplayName("a counted yes who changes their ETA after the need is met stays counted and is not told 'not needed'")
    void countedYesChangesEta() {
      RunSimulation sim = run(playbook(nurses(1))).start();
      sim.answer("rn1", 1);
      sim.answer("rn1", 2);

      assertThat(sim.state().tally("nurses")).isEqualTo(1);
      assertThat(sim.answers("nurses").get("rn1")).isEqualTo(new RunState.Answer("rn1", "Rita Nash", 2, true, true));
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.MET);
      assertThat(sim.notifications(Kind.INFO)).isEmpty();
      assertThat(sim.events("rollcall.need-met")).hasSize(1);
    }

    @Test
    @DisplayName("a late yes after the need is met is not counted and is told it is not needed; a late no gets no reply")
    void lateYes() {
      RunSimulation sim = run(playbook(nurses(1))).start();
      sim.answer("rn1", 1);
      sim.advance(min(5)).answer("rn2", 1);
      sim.answer("rn3", 3);

      assertThat(sim.state().tally("nurses")).isEqualTo(1);
      assertThat(sim.answers("nurses").get("rn2")).isEqualTo(new RunState.Answer("rn2", "Raj Nair", 1, true, false));
      assertThat(sim.log(Kind.INFO)).containsExactly("+5m info L0 rn2");
      assertThat(sim.notifications(Kind.INFO).get(0).body())
          .isEqualTo("[MC-7] Thank you. We have enough staff now: you are not needed for this call-out.");
      assertThat(sim.events("rollcall.answered")).extracting(e -> e.payload().get("counted"))
          .containsExactly(true, false, false);
      assertThat(sim.events("rollcall.need-met")).hasSize(1);
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.MET);
    }

    @Test
    @DisplayName("an answer after stand-down is told the call-out has ended and is not recorded")
    void answerAfterStandDown() {
      RunSimulation sim = run(playbook(nurses(2))).start();
      sim.advance(min(20)).standDown();
      int eventsBefore = sim.events().size();

      sim.advance(min(5)).answer("rn1", 1);

      assertThat(sim.answers("nurses")).isEmpty();
      assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.CLOSED);
      assertThat(sim.log(Kind.INFO)).containsExactly("+25m info L0 rn1");
      assertThat(sim.notifications(Kind.INFO).get(0).body()).isEqualTo("[MC-7] This call-out has ended. Thank you.");
      assertThat(sim.events()).hasSize(eventsBefore);
    }
  }

  // ---- tasks and reminders

  @Nested
  @DisplayName("tasks")
  class Tasks {
    private final Map<String, List<String>> positions = Map.of(
        "incident-commander", List.of("incident-commander", "administrator-on-call"));

    @Test
    @DisplayName("an overdue task pages its owner at its due time; a completed one does not")
    void overdue() {
      Playbook pb = playbook(positions, List.of(page("fyi", List.of("security-lead"), "FYI", PageStep.Ack.NONE)),
          List.of(task("open-command", Phase.IMMEDIATE, "incident-commander", "Open the command center at {facility}",
                  min(15)),
              task("bed-report", Phase.IMMEDIATE, "incident-commander", "Report beds", min(30))),
          null);
      RunSimulation sim = run(pb).start();

      assertThat(sim.tasks()).containsExactly(
          new RunState.TaskState("open-command", "incident-commander", new RunState.StaffRef("ic", "Ines Cole",
              "+15550000001"), RunState.TaskStatus.OPEN, at(15)),
          new RunState.TaskState("bed-report", "incident-commander", new RunState.StaffRef("ic", "Ines Cole",
              "+15550000001"), RunState.TaskStatus.OPEN, at(30)));
      assertThat(sim.events("task.created")).hasSize(2);

      sim.advance(min(20)).completeTask("bed-report", "ic");
      assertThat(sim.pendingTimers()).isEmpty();
      sim.advance(Duration.ofHours(1));

      assertThat(sim.log(Kind.TASK)).containsExactly("+15m task L0 ic");
      assertThat(sim.notifications(Kind.TASK).get(0).body())
          .isEqualTo("[MC-7] OVERDUE task (incident-commander): Open the command center at Muster General");
      assertThat(sim.events("task.overdue")).singleElement().satisfies(e -> {
        assertThat(e.at()).isEqualTo(at(15));
        assertThat(e.payload()).containsEntry("taskId", "open-command").containsEntry("paged", true);
      });
      assertThat(sim.events("task.completed")).singleElement()
          .satisfies(e -> assertThat(e.payload()).containsEntry("taskId", "bed-report").containsEntry("by", "ic"));
      assertThat(sim.tasks()).extracting(RunState.TaskState::status)
          .containsExactly(RunState.TaskStatus.OPEN, RunState.TaskStatus.DONE);
    }

    @Test
    @DisplayName("a task's owner is whoever fills its position, not everyone holding a role of that name")
    void ownerIsFiller() {
      Playbook pb = playbook(Map.of("incident-commander", List.of("administrator-on-call", "incident-commander"),
              "safety-officer", List.of("safety-officer")),
          List.of(page("fyi", List.of("security-lead"), "FYI", PageStep.Ack.NONE)),
          List.of(task("open-command", Phase.IMMEDIATE, "incident-commander", "Open", min(15)),
              task("hazards", Phase.IMMEDIATE, "safety-officer", "Check hazards", min(15))),
          null);
      RunSimulation sim = run(pb).start().advance(min(30));

      assertThat(sim.tasks()).extracting(t -> t.taskId() + ":" + (t.ownerStaff() == null ? null : t.ownerStaff().id()))
          .containsExactlyInAnyOrder("open-command:aoc", "hazards:null");
      assertThat(sim.log(Kind.TASK)).containsExactly("+15m task L0 aoc");
      assertThat(sim.events("task.overdue")).extracting(e -> e.payload().get("taskId") + ":" + e.payload().get("paged"))
          .containsExactlyInAnyOrder("open-command:true", "hazards:false");
    }

    @Test
    @DisplayName("reminders go every interval to whoever fills the incident commander position, until stand-down")
    void reminders() {
      Playbook pb = playbook(Map.of("incident-commander", List.of("administrator-on-call", "incident-commander")),
          List.of(page("fyi", List.of("security-lead"), "FYI", PageStep.Ack.NONE)), List.of(),
          new Reminder(List.of("incident-commander"), min(30), new Template("{incident} at {facility}: status update due.")));
      RunSimulation sim = run(pb).start().advance(min(130));

      assertThat(sim.log(Kind.REMINDER)).containsExactly("+30m reminder L0 aoc", "+60m reminder L0 aoc",
          "+90m reminder L0 aoc", "+120m reminder L0 aoc");
      assertThat(sim.notifications(Kind.REMINDER).get(0).body())
          .isEqualTo("[MC-7] Test incident at Muster General: status update due.");

      sim.standDown();
      sim.advance(Duration.ofHours(12));
      assertThat(sim.notifications(Kind.REMINDER)).hasSize(4);
      assertThat(sim.to("ic")).as("the incident-commander role holder does not fill the position").isEmpty();
    }
  }

  // ---- conditions, positions, readiness

  @Nested
  @DisplayName("conditions")
  class Conditions {
    @Test
    @DisplayName("a step with 'when: {drill: false}' is skipped for a drill and runs for a real incident")
    void drill() {
      Playbook pb = playbook(page("real-only", new Condition(null, false, null), List.of("security-lead")),
          page("always", Condition.ALWAYS, List.of("ed-charge-nurse")));

      RunSimulation drill = run(pb, incident(Severity.HIGH, true, "general")).start();
      assertThat(drill.log()).containsExactly("+0m page L0 edn1", "+0m page L0 edn2");
      assertThat(drill.notifications().get(0).body()).isEqualTo("DRILL - [MC-7] Alert at Muster General.");
      assertThat(drill.events("step.skipped")).singleElement().satisfies(e -> assertThat(e.payload())
          .containsEntry("stepId", "real-only").containsEntry("reason", "its conditions do not hold"));

      RunSimulation real = run(pb, incident(Severity.HIGH, false, "general")).start();
      assertThat(real.log()).containsExactly("+0m page L0 sec", "+0m page L0 edn1", "+0m page L0 edn2");
      assertThat(real.events("step.skipped")).isEmpty();
    }

    @Test
    @DisplayName("a step limited to high and critical severities is skipped for a moderate incident")
    void severity() {
      Playbook pb = playbook(page("surgery", new Condition(Set.of(Severity.HIGH, Severity.CRITICAL), null, null),
          List.of("security-lead")));

      RunSimulation moderate = run(pb, incident(Severity.MODERATE, false, "general")).start();
      assertThat(moderate.notifications()).isEmpty();
      assertThat(moderate.events("step.skipped")).extracting(e -> e.payload().get("stepId")).containsExactly("surgery");

      RunSimulation critical = run(pb, incident(Severity.CRITICAL, false, "general")).start();
      assertThat(critical.log()).containsExactly("+0m page L0 sec");
    }

    @Test
    @DisplayName("a step limited to clinics is skipped at a hospital and runs at a clinic, paging that clinic's staff")
    void facilityType() {
      Playbook pb = playbook(page("clinic-only", new Condition(null, null, Set.of(FacilityType.CLINIC)),
          List.of("incident-commander")));

      RunSimulation hospital = run(pb, incident(Severity.HIGH, false, "general")).start();
      assertThat(hospital.notifications()).isEmpty();
      assertThat(hospital.events("step.skipped")).hasSize(1);

      RunSimulation clinic = run(pb, incident(Severity.HIGH, false, "north")).start();
      assertThat(clinic.log()).containsExactly("+0m page L0 cic");
      assertThat(clinic.notifications().get(0).body()).isEqualTo("[MC-7] Alert at North Clinic.");
    }

    @Test
    @DisplayName("a task whose conditions do not hold is not created and never pages")
    void conditionalTask() {
      Playbook pb = playbook(Map.of("incident-commander", List.of("incident-commander")),
          List.of(page("fyi", List.of("security-lead"), "FYI", PageStep.Ack.NONE)),
          List.of(new TaskDef("press", Phase.IMMEDIATE, "incident-commander", new Template("Brief the press"), min(10),
              new Condition(null, false, null))),
          null);

      RunSimulation drill = run(pb, incident(Severity.HIGH, true, "general")).start().advance(min(30));
      assertThat(drill.tasks()).isEmpty();
      assertThat(drill.notifications(Kind.TASK)).isEmpty();

      RunSimulation real = run(pb, incident(Severity.HIGH, false, "general")).start().advance(min(30));
      assertThat(real.log(Kind.TASK)).containsExactly("+10m task L0 ic");
    }
  }

  @Nested
  @DisplayName("positions")
  class PositionsFilling {
    private final Map<String, List<String>> positions = orderedPositions();

    private static Map<String, List<String>> orderedPositions() {
      Map<String, List<String>> p = new LinkedHashMap<>();
      p.put("incident-commander", List.of("house-supervisor", "administrator-on-call", "incident-commander"));
      p.put("safety-officer", List.of("safety-officer", "security-lead"));
      p.put("liaison-officer", List.of("it-on-call"));
      return p;
    }

    @Test
    @DisplayName("are filled by the first role, in order of preference, that someone at the facility holds; else 'position.unfilled'")
    void filled() {
      RunSimulation sim = run(playbook(positions, List.of(page("fyi", List.of("ed-charge-nurse"), "FYI",
          PageStep.Ack.NONE)), List.of(), null)).start();

      assertThat(sim.positions()).containsExactly(
          Map.entry("incident-commander", new RunState.StaffRef("hs", "Hana Sato", "+15550000003")),
          Map.entry("safety-officer", new RunState.StaffRef("sec", "Sam Este", "+15550000013")));
      assertThat(sim.events("position.filled")).extracting(e -> e.payload().get("position") + "=" + e.payload()
          .get("staffId")).containsExactly("incident-commander=hs", "safety-officer=sec");
      assertThat(sim.events("position.unfilled")).singleElement().satisfies(e -> assertThat(e.payload())
          .containsEntry("position", "liaison-officer").containsEntry("roles", List.of("it-on-call")));
    }

    @Test
    @DisplayName("a page to a position reaches whoever fills it, at the incident's own facility")
    void pageToPosition() {
      Playbook pb = playbook(positions, List.of(page("command", List.of("incident-commander", "safety-officer"),
          "Report to command", PageStep.Ack.NONE)), List.of(), null);

      assertThat(run(pb).start().log()).containsExactly("+0m page L0 hs", "+0m page L0 sec");
      RunSimulation clinic = run(pb, incident(Severity.HIGH, false, "north")).start();
      assertThat(clinic.positions()).containsOnlyKeys("incident-commander", "safety-officer");
      assertThat(clinic.log()).as("Cleo fills both positions and is paged once").containsExactly("+0m page L0 cic");
    }
  }

  @Test
  @DisplayName("a readiness step asks for its changes at the incident's facility, and sends nothing")
  void readiness() {
    RunSimulation sim = run(playbook(new ReadinessStep("ed-mci", null,
        Map.of("ed-status", "mass-casualty", "ems-traffic", "advisory")))).start();

    assertThat(sim.events("readiness.change-requested")).singleElement().satisfies(e -> {
      assertThat(e.at()).isEqualTo(T0);
      assertThat(e.payload()).containsEntry("stepId", "ed-mci").containsEntry("facilityId", "general")
          .containsEntry("changes", Map.of("ed-status", "mass-casualty", "ems-traffic", "advisory"));
    });
    assertThat(sim.notifications()).isEmpty();
    assertThat(sim.pendingTimers()).isEmpty();
  }

  // ---- stand-down and a whole run

  @Test
  @DisplayName("stand-down cancels every timer, closes every rollcall, and sends one all-clear to each person messaged, no one else")
  void standDown() {
    Playbook pb = playbook(Map.of("incident-commander", List.of("incident-commander")),
        List.of(page("page-ed", List.of("ed-charge-nurse"), "ED alert", ack(1, 5, List.of("administrator-on-call"))),
            nurses(3, widen(10, "rn-off-duty"), widen(60, "rn-per-diem"))),
        List.of(task("open-command", Phase.IMMEDIATE, "incident-commander", "Open", min(15)),
            task("action-plan", Phase.INTERMEDIATE, "incident-commander", "Plan", Duration.ofHours(4))),
        new Reminder(List.of("incident-commander"), min(30), new Template("Status update due.")));
    RunSimulation sim = run(pb).start();
    sim.advance(min(1)).answer("rn1", 1);
    sim.advance(min(39));
    assertThat(sim.pendingTimers()).isNotEmpty();
    int before = sim.notifications().size();

    Plan plan = sim.standDown();

    assertThat(plan.cancels).containsExactly(new Plan.Timer(null, null, 0, 0, null));
    assertThat(sim.pendingTimers()).isEmpty();
    assertThat(sim.rollcall("nurses")).isEqualTo(RunState.RollcallStatus.CLOSED);
    assertThat(sim.events("rollcall.closed")).singleElement().satisfies(e -> assertThat(e.payload())
        .containsEntry("stepId", "nurses").containsEntry("tally", 1));
    List<Notification> allClear = sim.notifications(Kind.ALL_CLEAR);
    assertThat(sim.notifications()).hasSize(before + allClear.size());
    assertThat(allClear).extracting(Notification::staffId)
        .containsExactlyInAnyOrder("edn1", "edn2", "aoc", "rn1", "rn2", "rn3", "rn4", "rn5", "ic");
    assertThat(allClear).allSatisfy(n -> {
      assertThat(n.body()).isEqualTo("[MC-7] ALL CLEAR at Muster General.");
      assertThat(n.createdAt()).isEqualTo(at(40));
    });
    assertThat(sim.events("playbook.stood-down")).singleElement()
        .satisfies(e -> assertThat(e.payload()).containsEntry("allClear", 9));

    sim.advance(Duration.ofHours(12));
    assertThat(sim.notifications()).hasSize(before + 9);
    assertThat(sim.to("rn6")).as("the 60m widening never happened").isEmpty();
    for (String never : List.of("hs", "cno", "sec", "cic", "crn")) {
      assertThat(sim.to(never)).as(never).isEmpty();
    }
  }

  @Test
  @DisplayName("a twelve-hour playbook runs to its end under the virtual clock: 24 half-hourly reminders, tasks paged when due")
  void twelveHours() {
    Map<String, List<String>> positions = new LinkedHashMap<>();
    positions.put("incident-commander", List.of("incident-commander"));
    positions.put("planning-section-chief", List.of("house-supervisor"));
    Playbook pb = playbook(positions,
        List.of(page("page-command", List.of("incident-commander"), "Report", ack(2, 5, List.of("administrator-on-call"))),
            nurses(2, widen(10, "rn-off-duty")),
            new ReadinessStep("ed-mci", null, Map.of("ed-status", "mass-casualty"))),
        List.of(task("action-plan", Phase.INTERMEDIATE, "planning-section-chief", "Action plan", Duration.ofHours(2)),
            task("supplies", Phase.IMMEDIATE, "incident-commander", "Supplies", Duration.ofHours(2)),
            task("ed-normal", Phase.DEMOBILIZATION, "incident-commander", "ED back to normal", Duration.ofHours(12))),
        new Reminder(List.of("incident-commander"), min(30), new Template("Status update due.")));
    long wall = System.nanoTime();
    RunSimulation sim = run(pb).start();
    sim.advance(min(2)).ack(pageOf(sim, "ic"));
    sim.advance(min(1)).answer("rn1", 1);
    sim.advance(min(1)).answer("rn2", 2);
    sim.advanceTo(at(60)).completeTask("supplies", "ic");
    sim.advanceTo(at(12 * 60));
    sim.standDown();
    sim.advance(Duration.ofHours(6));

    List<String> reminders = new ArrayList<>();
    IntStream.rangeClosed(1, 24).forEach(i -> reminders.add("+" + (30 * i) + "m reminder L0 ic"));
    assertThat(sim.log(Kind.REMINDER)).containsExactlyElementsOf(reminders);
    assertThat(sim.log(Kind.TASK)).containsExactly("+120m task L0 hs", "+720m task L0 ic");
    assertThat(sim.log(Kind.PAGE)).containsExactly("+0m page L0 ic");
    assertThat(sim.log(Kind.ROLLCALL)).containsExactly("+0m rollcall L0 rn1", "+0m rollcall L0 rn2",
        "+0m rollcall L0 rn3");
    assertThat(sim.notifications(Kind.ALL_CLEAR)).extracting(Notification::staffId)
        .containsExactlyInAnyOrder("ic", "rn1", "rn2", "rn3", "hs");
    assertThat(sim.firedTimers()).extracting(Plan.Timer::kind).filteredOn(k -> k == TimerKind.REMINDER).hasSize(24);
    assertThat(sim.firedTimers()).as("widen 1, task due 2 (one completed), reminders 24; the escalation was cancelled")
        .hasSize(27);
    assertThat(sim.pendingTimers()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - wall)).isLessThan(Duration.ofSeconds(5));
  }
}
