package io.muster.roster.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumbersTest {

  @ParameterizedTest(name = "''{0}'' -> {1}")
  @CsvSource(delimiter = '|', value = {
      "+1 617 555 0101 | +16175550101",
      "+16175550101    | +16175550101",
      "(617) 555-0101  | +16175550101",
      "617-555-0101    | +16175550101",
      "617.555.0101    | +16175550101",
      "1 617 555 0101  | +16175550101",
      "+44 20 7946 0958| +442079460958",
      "+49 30 901820   | +4930901820"})
  @DisplayName("common formats are normalised to E.164; numbers without a country code are read as US")
  void normalises(String raw, String e164) {
    assertThat(PhoneNumbers.e164(raw)).contains(e164);
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"555-12", "12345", "not a number", "+1 000 000 0000", "+999 123 456", "617 555 01019999"})
  @DisplayName("something that is not a valid number is refused")
  void invalid(String raw) {
    assertThat(PhoneNumbers.e164(raw)).isEmpty();
  }

  @ParameterizedTest(name = "''{0}''")
  @NullSource
  @ValueSource(strings = {"", "   "})
  @DisplayName("a missing or blank number is refused")
  void blank(String raw) {
    assertThat(PhoneNumbers.e164(raw)).isEmpty();
  }
}
