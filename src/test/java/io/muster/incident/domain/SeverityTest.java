package io.muster.incident.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.muster.common.InvalidInput;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SeverityTest {

  @ParameterizedTest(name = "{0}")
  @EnumSource(Severity.class)
  @DisplayName("each severity is read back from its lowercase id")
  void roundTrip(Severity s) {
    assertThat(Severity.of("severity", s.id())).isSameAs(s);
  }

  @Test
  @DisplayName("ids are the lowercase names")
  void ids() {
    assertThat(Severity.CRITICAL.id()).isEqualTo("critical");
    assertThat(Severity.of("severity", "moderate")).isEqualTo(Severity.MODERATE);
  }

  @Test
  @DisplayName("an unknown value is refused, naming the field given by the caller and the value")
  void unknown() {
    assertThatThrownBy(() -> Severity.of("body.severity", "apocalyptic"))
        .isInstanceOfSatisfying(InvalidInput.class, e -> {
          assertThat(e.field()).isEqualTo("body.severity");
          assertThat(e.reason()).contains("'apocalyptic'").contains("low, moderate, high, critical");
        });
  }

  @Test
  @DisplayName("a null value is refused like any unknown one")
  void nullValue() {
    assertThatThrownBy(() -> Severity.of("severity", null))
        .isInstanceOfSatisfying(InvalidInput.class, e -> assertThat(e.field()).isEqualTo("severity"));
  }
}
