package io.muster.playbook.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.muster.incident.domain.Incident;
import io.muster.incident.domain.IncidentStatus;
import io.muster.incident.domain.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MessagesTest {
  private static final PageStep ACK_STEP = new PageStep("ack", null, List.of("incident-commander"),
      new Template("{incident} ({severity}) at {facility}: {summary}."),
      new PageStep.Ack(true, 0, java.time.Duration.ofMinutes(5), List.of()));
  private static final PageStep FYI_STEP = new PageStep("fyi", null, List.of("rn-float-pool"),
      new Template("FYI: {incident} at {facility}."), PageStep.Ack.NONE);
  private static final Playbook PLAYBOOK = new Playbook("mass-casualty", "Mass casualty incident",
      Severity.CRITICAL, null, null, List.of(ACK_STEP, FYI_STEP), null, null,
      new Template("ALL CLEAR at {facility} ({ref})."));

  private static Incident incident(boolean drill) {
    return new Incident("id-1", "MC-7", "mass-casualty", "general", "Bus crash, 20 injured", Severity.HIGH, drill,
        IncidentStatus.ACTIVE, Instant.parse("2025-03-01T10:00:00Z"), "dana", null, null);
  }

  @Test
  @DisplayName("a page starts with the reference in brackets and ends asking for a reply when an answer is required")
  void pageWithAck() {
    String text = Messages.page(incident(false), PLAYBOOK, "Muster General", ACK_STEP);

    assertThat(text).isEqualTo(
        "[MC-7] Mass casualty incident (high) at Muster General: Bus crash, 20 injured. Reply 1 to acknowledge.");
  }

  @Test
  @DisplayName("a page that needs no answer does not ask for one")
  void pageWithoutAck() {
    String text = Messages.page(incident(false), PLAYBOOK, "Muster General", FYI_STEP);

    assertThat(text).isEqualTo("[MC-7] FYI: Mass casualty incident at Muster General.")
        .doesNotContain("Reply");
  }

  @Test
  @DisplayName("a drill page says DRILL first")
  void drillPage() {
    String text = Messages.page(incident(true), PLAYBOOK, "Muster General", ACK_STEP);

    assertThat(text).startsWith("DRILL - [MC-7] ").endsWith(" Reply 1 to acknowledge.");
  }

  @Test
  @DisplayName("a real incident never says DRILL")
  void realIsNotDrill() {
    assertThat(Messages.page(incident(false), PLAYBOOK, "Muster General", ACK_STEP)).doesNotContain("DRILL");
    assertThat(Messages.allClear(incident(false), PLAYBOOK, "Muster General")).doesNotContain("DRILL");
  }

  @Test
  @DisplayName("the all-clear carries the reference, the stand-down text, and asks for no reply")
  void allClear() {
    assertThat(Messages.allClear(incident(false), PLAYBOOK, "Muster General"))
        .isEqualTo("[MC-7] ALL CLEAR at Muster General (MC-7).");
  }

  @Test
  @DisplayName("a drill's all-clear says DRILL first")
  void drillAllClear() {
    assertThat(Messages.allClear(incident(true), PLAYBOOK, "Muster General"))
        .isEqualTo("DRILL - [MC-7] ALL CLEAR at Muster General (MC-7).");
  }
}
