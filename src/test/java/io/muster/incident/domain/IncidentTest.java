package io.muster.incident.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IncidentTest {
  private static final Instant TRIGGERED = Instant.parse("2025-03-01T10:00:00Z");
  private static final Instant RESOLVED = Instant.parse("2025-03-01T11:30:00Z");

  private static Incident active() {
    return new Incident("id-1", "MC-7", "mass-casualty", "general", "Bus crash", Severity.CRITICAL, true,
        IncidentStatus.ACTIVE, TRIGGERED, "dana", null, null);
  }

  @Test
  @DisplayName("a new incident is active")
  void activeIncident() {
    assertThat(active().active()).isTrue();
  }

  @Test
  @DisplayName("resolving records when and by whom, and the incident is no longer active")
  void resolve() {
    Incident resolved = active().resolve(RESOLVED, "marcus");

    assertThat(resolved.status()).isEqualTo(IncidentStatus.RESOLVED);
    assertThat(resolved.active()).isFalse();
    assertThat(resolved.resolvedAt()).isEqualTo(RESOLVED);
    assertThat(resolved.resolvedBy()).isEqualTo("marcus");
  }

  @Test
  @DisplayName("resolving keeps everything else about the incident")
  void resolveKeepsTheRest() {
    Incident before = active();
    Incident resolved = before.resolve(RESOLVED, "marcus");

    assertThat(resolved).usingRecursiveComparison()
        .ignoringFields("status", "resolvedAt", "resolvedBy")
        .isEqualTo(before);
    assertThat(before.active()).as("the original is unchanged").isTrue();
  }

  @Test
  @DisplayName("statuses read back from their lowercase ids")
  void statusIds() {
    assertThat(IncidentStatus.RESOLVED.id()).isEqualTo("resolved");
    assertThat(IncidentStatus.of("active")).isEqualTo(IncidentStatus.ACTIVE);
  }
}
