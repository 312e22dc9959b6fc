package io.muster.readiness.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.muster.common.InvalidInput;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The rules every readiness update must keep, each refusal naming the API's field. */
class ReadinessFieldsTest {

  private static InvalidInput refused(Map<String, String> merged) {
    InvalidInput e = catchThrowableOfType(InvalidInput.class, () -> ReadinessFields.check(merged));
    assertThat(e).as("check(%s) refuses", merged).isNotNull();
    assertThat(e.reason()).isNotBlank();
    return e;
  }

  @Test
  @DisplayName("a complete, sensible board passes")
  void validPasses() {
    Map<String, String> ok = new HashMap<>();
    ok.put("beds.adult-icu.baseline", "20");
    ok.put("beds.adult-icu.occupied", "20");
    ok.put("beds.adult-icu.nurses", "0");
    ok.put("beds.medical-surgical.baseline", String.valueOf(ReadinessFields.MAX_COUNT));
    ok.put("ed-status", "mass-casualty");
    ok.put("ems-traffic", "advisory");
    ok.put("facility-status", "limited");
    ok.put("systems.power.state", "degraded");
    ok.put("systems.power.note", "on generator");
    ok.put("supplies.ppe-days", "4");
    assertThatNoException().isThrownBy(() -> ReadinessFields.check(ok));
    assertThatNoException().isThrownBy(() -> ReadinessFields.check(Map.of()));
  }

  @Test
  @DisplayName("occupied above the baseline is refused, naming beds.<type>.occupied and both numbers")
  void occupiedAboveBaseline() {
    InvalidInput e = refused(Map.of("beds.adult-icu.baseline", "20", "beds.adult-icu.occupied", "21"));
    assertThat(e.field()).isEqualTo("beds.adult-icu.occupied");
    assertThat(e.reason()).contains("21").contains("20");
  }

  @Test
  @DisplayName("occupied beds of a type with no baseline reported are refused (the baseline is taken as 0)")
  void occupiedWithoutBaseline() {
    assertThat(refused(Map.of("beds.burn.occupied", "1")).field()).isEqualTo("beds.burn.occupied");
    assertThatNoException().isThrownBy(() -> ReadinessFields.check(Map.of("beds.burn.occupied", "0")));
  }

  @Test
  @DisplayName("a lowered baseline under the occupied count is refused on occupied")
  void baselineBelowOccupied() {
    assertThat(refused(Map.of("beds.pediatrics.baseline", "3", "beds.pediatrics.occupied", "4")).field())
        .isEqualTo("beds.pediatrics.occupied");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"-1", "-100", "100001"})
  @DisplayName("a count below 0 or above the maximum is refused, naming the count")
  void outOfRange(String value) {
    for (String count : new String[] {"baseline", "occupied", "nurses"}) {
      String key = "beds.medical-surgical." + count;
      InvalidInput e = refused(Map.of(key, value));
      assertThat(e.field()).isEqualTo(key);
      assertThat(e.reason()).contains(value);
    }
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"ten", "2.5", "2.0", "", " 3", "1e2", "0x10"})
  @DisplayName("a count that is not a whole number is refused, naming the count")
  void notWhole(String value) {
    InvalidInput e = refused(Map.of("beds.ventilators.nurses", value));
    assertThat(e.field()).isEqualTo("beds.ventilators.nurses");
  }

  @Test
  @DisplayName("a bad ED status is refused under the API's name edStatus, listing the allowed values")
  void badEdStatus() {
    InvalidInput e = refused(Map.of("ed-status", "swamped"));
    assertThat(e.field()).isEqualTo("edStatus");
    assertThat(e.reason()).contains("swamped").contains("diversion").contains("mass-casualty");
  }

  @Test
  @DisplayName("a bad EMS traffic value is refused as emsTraffic")
  void badEmsTraffic() {
    assertThat(refused(Map.of("ems-traffic", "diversion")).field()).isEqualTo("emsTraffic");
  }

  @Test
  @DisplayName("a bad facility status is refused as facilityStatus")
  void badFacilityStatus() {
    assertThat(refused(Map.of("facility-status", "open")).field()).isEqualTo("facilityStatus");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"power", "water", "hvac", "medical-gases", "ehr", "communications"})
  @DisplayName("a bad system state is refused as systems.<name>.state")
  void badSystemState(String system) {
    InvalidInput e = refused(Map.of("systems." + system + ".state", "off"));
    assertThat(e.field()).isEqualTo("systems." + system + ".state");
    assertThat(e.reason()).contains("up").contains("degraded").contains("down");
  }

  @Test
  @DisplayName("values are case-sensitive: DOWN and Normal are refused")
  void caseSensitive() {
    assertThat(refused(Map.of("systems.power.state", "DOWN")).field()).isEqualTo("systems.power.state");
    assertThat(refused(Map.of("ed-status", "Normal")).field()).isEqualTo("edStatus");
  }

  @Test
  @DisplayName("stored keys map to API field names: ed-status → edStatus, bed and system keys unchanged")
  void fieldNames() {
    assertThat(ReadinessFields.field("ed-status")).isEqualTo("edStatus");
    assertThat(ReadinessFields.field("ems-traffic")).isEqualTo("emsTraffic");
    assertThat(ReadinessFields.field("facility-status")).isEqualTo("facilityStatus");
    assertThat(ReadinessFields.field("beds.adult-icu.occupied")).isEqualTo("beds.adult-icu.occupied");
    assertThat(ReadinessFields.field("systems.power.state")).isEqualTo("systems.power.state");
  }

  @Test
  @DisplayName("a playbook's readiness changes are checked by the same rules")
  void playbookChangesChecked() {
    assertThat(ReadinessFields.fromPlaybook(Map.of("ed-status", "mass-casualty")))
        .containsExactly(Map.entry("ed-status", "mass-casualty"));
    InvalidInput e = catchThrowableOfType(InvalidInput.class,
        () -> ReadinessFields.fromPlaybook(Map.of("ed-status", "chaos")));
    assertThat(e).isNotNull();
    assertThat(e.field()).isEqualTo("edStatus");
  }
}
