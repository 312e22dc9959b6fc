package io.muster.incident.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.common.InvalidInput;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TriggerIncidentTest {

  @Test
  @DisplayName("a complete command keeps its values, with the summary stripped of surrounding spaces")
  void valid() {
    TriggerIncident cmd = new TriggerIncident("ehr-downtime", "general", "  Epic is down  ", Severity.HIGH, true);

    assertThat(cmd.type()).isEqualTo("ehr-downtime");
    assertThat(cmd.facilityId()).isEqualTo("general");
    assertThat(cmd.summary()).isEqualTo("Epic is down");
    assertThat(cmd.severity()).isEqualTo(Severity.HIGH);
    assertThat(cmd.drill()).isTrue();
  }

  @Test
  @DisplayName("severity may be left out: the playbook's own severity applies")
  void severityOptional() {
    assertThat(new TriggerIncident("ehr-downtime", "general", "down", null, false).severity()).isNull();
  }

  @ParameterizedTest(name = "type ''{0}''")
  @NullSource
  @ValueSource(strings = {"", "   ", "\t"})
  @DisplayName("a missing or blank type is refused, naming the type")
  void typeRequired(String type) {
    assertThatThrownBy(() -> new TriggerIncident(type, "general", "down", null, false))
        .isInstanceOfSatisfying(InvalidInput.class, e -> {
          assertThat(e.field()).isEqualTo("type");
          assertThat(e.reason()).isEqualTo("is required");
        });
  }

  @ParameterizedTest(name = "facilityId ''{0}''")
  @NullSource
  @ValueSource(strings = {"", "  "})
  @DisplayName("a missing or blank facility is refused, naming facilityId")
  void facilityRequired(String facilityId) {
    assertThatThrownBy(() -> new TriggerIncident("ehr-downtime", facilityId, "down", null, false))
        .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("facilityId"));
  }

  @ParameterizedTest(name = "summary ''{0}''")
  @NullSource
  @ValueSource(strings = {"", "   ", "\n"})
  @DisplayName("a missing or blank summary is refused, naming the summary")
  void summaryRequired(String summary) {
    assertThatThrownBy(() -> new TriggerIncident("ehr-downtime", "general", summary, null, false))
        .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("summary"));
  }

  @Test
  @DisplayName("a summary of exactly 500 characters is accepted, 501 is refused naming the summary and the limit")
  void summaryLength() {
    String max = "x".repeat(TriggerIncident.SUMMARY_MAX);

    assertThat(new TriggerIncident("t", "f", max, null, false).summary()).hasSize(500);
    assertThatThrownBy(() -> new TriggerIncident("t", "f", max + "x", null, false))
        .isInstanceOfSatisfying(InvalidInput.class, e -> {
          assertThat(e.field()).isEqualTo("summary");
          assertThat(e.reason()).contains("500");
        });
  }

  @Test
  @DisplayName("the length limit applies after stripping, so padding does not count")
  void lengthAfterStrip() {
    String padded = "   " + "x".repeat(TriggerIncident.SUMMARY_MAX) + "   ";

    assertThat(new TriggerIncident("t", "f", padded, null, false).summary()).hasSize(500);
  }
}
