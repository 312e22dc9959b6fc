package io.muster.common;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class InvalidInputTest {

  @Test
  @DisplayName("the message names the field first, and the reason is the message without it")
  void fieldAndReason() {
    InvalidInput e = new InvalidInput("summary", "is required");

    assertThat(e.field()).isEqualTo("summary");
    assertThat(e.reason()).isEqualTo("is required");
    assertThat(e).hasMessage("summary: is required");
  }

  @Test
  @DisplayName("a reason that itself contains a colon is kept whole")
  void reasonWithColon() {
    InvalidInput e = new InvalidInput("severity", "must be one of: low, high");

    assertThat(e.reason()).isEqualTo("must be one of: low, high");
  }

  @Test
  @DisplayName("it is an IllegalArgumentException, so self-validating records can throw it")
  void isIllegalArgument() {
    assertThat(new InvalidInput("type", "is required")).isInstanceOf(IllegalArgumentException.class);
  }
}
