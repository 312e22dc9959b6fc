package io.muster.readiness.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The staffed-bed math: available beds that have the nurses they need now, by the type's ratio. */
class StaffingTest {
  private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");
  private static final Instant SET_AT = NOW.minus(Duration.ofMinutes(5));
  private static final int ICU = BedType.ADULT_ICU.defaultPatientsPerNurse();
  private static final int MED_SURG = BedType.MEDICAL_SURGICAL.defaultPatientsPerNurse();

  private static FacilityReadiness.Beds beds(int baseline, int occupied, Integer nurses, List<Instant> arrivals,
                                             int patientsPerNurse) {
    return Staffing.beds(baseline, occupied, nurses, arrivals, patientsPerNurse, NOW, "api", SET_AT, false);
  }

  private static Instant in(int minutes) {
    return NOW.plus(Duration.ofMinutes(minutes));
  }

  @Test
  @DisplayName("the default ratios are HAvBED's: adult ICU 1:2, medical-surgical 1:5")
  void defaultRatios() {
    assertThat(ICU).isEqualTo(2);
    assertThat(MED_SURG).isEqualTo(5);
    assertThat(BedType.OPERATING_ROOMS.defaultPatientsPerNurse()).isEqualTo(1);
  }

  @Test
  @DisplayName("adult ICU at 1:2 with 18 of 20 beds occupied: 9 nurses staff no free bed, 10 nurses staff both")
  void adultIcuRatio() {
    FacilityReadiness.Beds nine = beds(20, 18, 9, List.of(), ICU);
    assertThat(nine.available()).isEqualTo(2);
    assertThat(nine.staffedAvailable()).isZero();
    assertThat(nine.nursesOnShift()).isEqualTo(9);

    FacilityReadiness.Beds ten = beds(20, 18, 10, List.of(), ICU);
    assertThat(ten.available()).isEqualTo(2);
    assertThat(ten.staffedAvailable()).isEqualTo(2);
  }

  @Test
  @DisplayName("each nurse beyond the occupied beds' need staffs as many free beds as the ratio allows")
  void partialStaffing() {
    // medical-surgical 1:5, 12 occupied, 30 beds: 3 nurses cover 15 patients → 3 free beds staffed
    FacilityReadiness.Beds b = beds(30, 12, 3, List.of(), MED_SURG);
    assertThat(b.available()).isEqualTo(18);
    assertThat(b.staffedAvailable()).isEqualTo(3);
    // the same nurses under a configured 1:4 ratio: 12 patients, no free bed staffed
    assertThat(beds(30, 12, 3, List.of(), 4).staffedAvailable()).isZero();
  }

  @Test
  @DisplayName("staffed available never exceeds baseline − occupied, however many nurses there are")
  void cappedByAvailable() {
    FacilityReadiness.Beds b = beds(10, 4, 100, List.of(in(-30), in(-10)), MED_SURG);
    assertThat(b.available()).isEqualTo(6);
    assertThat(b.staffedAvailable()).isEqualTo(6);
    assertThat(beds(20, 18, 11, List.of(), ICU).staffedAvailable()).isEqualTo(2);
  }

  @Test
  @DisplayName("a rollcall yes counts once its ETA has come (expected before, arrived from then on)")
  void arrivalsCountOnceTheirEtaHasCome() {
    // medical-surgical 1:5, 30 beds, 10 occupied, 2 nurses on shift cover exactly the occupied beds
    List<Instant> arrivals = List.of(in(-20), in(0), in(30));
    FacilityReadiness.Beds now = beds(30, 10, 2, arrivals, MED_SURG);
    assertThat(now.nursesArrived()).as("an ETA in the past or exactly now has come").isEqualTo(2);
    assertThat(now.nursesExpected()).isEqualTo(1);
    assertThat(now.nursesOnShift()).isEqualTo(2);
    assertThat(now.staffedAvailable()).isEqualTo(10);

    FacilityReadiness.Beds later = Staffing.beds(30, 10, 2, arrivals, MED_SURG, in(30), "api", SET_AT, false);
    assertThat(later.nursesArrived()).isEqualTo(3);
    assertThat(later.nursesExpected()).isZero();
    assertThat(later.staffedAvailable()).isEqualTo(15);
  }

  @Test
  @DisplayName("a rollcall yes whose ETA is still ahead staffs nothing yet")
  void expectedDoesNotStaff() {
    FacilityReadiness.Beds b = beds(30, 10, 2, List.of(in(1), in(60)), MED_SURG);
    assertThat(b.nursesArrived()).isZero();
    assertThat(b.nursesExpected()).isEqualTo(2);
    assertThat(b.staffedAvailable()).isZero();
  }

  @Test
  @DisplayName("a changed rollcall answer (one yes fewer) lowers staffing")
  void changedAnswerLowersStaffing() {
    FacilityReadiness.Beds two = beds(30, 10, 2, List.of(in(-5), in(-1)), MED_SURG);
    FacilityReadiness.Beds one = beds(30, 10, 2, List.of(in(-5)), MED_SURG);
    assertThat(two.staffedAvailable()).isEqualTo(10);
    assertThat(one.staffedAvailable()).isEqualTo(5);
    assertThat(one.nursesArrived()).isEqualTo(1);
  }

  @Test
  @DisplayName("nurses leaving shift (fewer on shift) lower staffing")
  void nursesLeavingLowerStaffing() {
    assertThat(beds(20, 10, 8, List.of(), ICU).staffedAvailable()).isEqualTo(6);
    assertThat(beds(20, 10, 6, List.of(), ICU).staffedAvailable()).isEqualTo(2);
    assertThat(beds(20, 10, 5, List.of(), ICU).staffedAvailable()).isZero();
  }

  @Test
  @DisplayName("nurses not reported and no rollcall arrivals: staffing is unknown, every available bed counts as staffed")
  void unreportedMeansAllAvailableStaffed() {
    FacilityReadiness.Beds b = beds(20, 18, null, List.of(), ICU);
    assertThat(b.available()).isEqualTo(2);
    assertThat(b.staffedAvailable()).isEqualTo(2);
    assertThat(b.nursesOnShift()).isZero();
    // reported as zero is not unknown: nobody to staff anything
    assertThat(beds(20, 18, 0, List.of(), ICU).staffedAvailable()).isZero();
  }

  @Test
  @DisplayName("a rollcall yes never lowers staffing: with nurses unreported, an expected or arrived nurse leaves every available bed staffed")
  void rollcallYesNeverLowersStaffing() {
    int without = beds(20, 10, null, List.of(), ICU).staffedAvailable();
    assertThat(without).isEqualTo(10);
    assertThat(beds(20, 10, null, List.of(in(30)), ICU).staffedAvailable())
        .as("a nurse still on the way").isGreaterThanOrEqualTo(without);
    assertThat(beds(20, 10, null, List.of(in(-1)), ICU).staffedAvailable())
        .as("a nurse who has arrived").isGreaterThanOrEqualTo(without);
  }

  @Test
  @DisplayName("staffed and available are never negative, even with more patients than beds or nurses")
  void neverNegative() {
    FacilityReadiness.Beds overfull = beds(10, 14, 1, List.of(), ICU);
    assertThat(overfull.available()).isZero();
    assertThat(overfull.staffedAvailable()).isZero();
    FacilityReadiness.Beds understaffed = beds(20, 18, 1, List.of(in(60)), ICU);
    assertThat(understaffed.staffedAvailable()).isZero();
    assertThat(beds(0, 0, 0, List.of(), ICU).staffedAvailable()).isZero();
  }

  @Test
  @DisplayName("who set the counts, when, and whether they are overdue pass through to the board")
  void provenance() {
    FacilityReadiness.Beds b = Staffing.beds(20, 18, 10, List.of(), ICU, NOW, "sms:lena-fischer", SET_AT, true);
    assertThat(b.baseline()).isEqualTo(20);
    assertThat(b.occupied()).isEqualTo(18);
    assertThat(b.setBy()).isEqualTo("sms:lena-fischer");
    assertThat(b.setAt()).isEqualTo(SET_AT);
    assertThat(b.overdue()).isTrue();
  }
}
