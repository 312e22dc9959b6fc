package io.muster.playbook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class TemplateTest {

  @Test
  @DisplayName("every known placeholder is accepted")
  void knownPlaceholders() {
    Template t = new Template("{facility} {summary} {ref} {incident} {severity}");

    assertThat(t.text()).isEqualTo("{facility} {summary} {ref} {incident} {severity}");
  }

  @Test
  @DisplayName("an unknown placeholder is refused with its name")
  void unknownPlaceholder() {
    assertThatThrownBy(() -> new Template("Patient {patient_name} in {facility}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("unknown placeholder ")
        .hasMessageContaining("{patient_name}");
  }

  @Test
  @DisplayName("placeholders are case-sensitive: {Facility} is not {facility}")
  void caseSensitive() {
    assertThatThrownBy(() -> new Template("at {Facility}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("{Facility}");
  }

  @ParameterizedTest(name = "''{0}''")
  @NullSource
  @ValueSource(strings = {"", "   "})
  @DisplayName("a blank message is refused")
  void blank(String text) {
    assertThatThrownBy(() -> new Template(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be blank");
  }

  @Test
  @DisplayName("rendering fills every placeholder, repeated ones included")
  void render() {
    Template t = new Template("{incident} at {facility}: {summary} ({severity}, {ref}) - {facility}");

    String text = t.render(Map.of("incident", "EHR downtime", "facility", "General", "summary", "Epic down",
        "severity", "high", "ref", "EHR-1"));

    assertThat(text).isEqualTo("EHR downtime at General: Epic down (high, EHR-1) - General");
  }

  @Test
  @DisplayName("values are inserted literally: dollar signs, backslashes and braces are not interpreted")
  void literalValues() {
    Template t = new Template("{summary} at {facility}");

    assertThat(t.render(Map.of("summary", "cost $1 \\ {ref}", "facility", "General")))
        .isEqualTo("cost $1 \\ {ref} at General");
  }

  @Test
  @DisplayName("a placeholder with no value renders as empty text")
  void missingValue() {
    assertThat(new Template("[{ref}] down").render(Map.of())).isEqualTo("[] down");
  }
}
