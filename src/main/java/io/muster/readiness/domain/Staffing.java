package io.muster.readiness.domain;

import java.time.Instant;
import java.util.List;

/**
 * HAvBED's rule that a bed is available only if it can take a patient now: an available bed
 * counts as staffed when the nurses present (on shift, plus those from a rollcall whose arrival
 * time has come) can care for one more patient of its type, given the type's ratio.
 */
public final class Staffing {
  private Staffing() {
  }

  /**
   * @param nursesOnShift reported nurses on shift for this bed type; null when not reported, in
   *     which case staffing is unknown and every available bed is counted as staffed (arrivals are
   *     still shown, but cannot make an unknown staffing worse)
   * @param arrivals when each rollcall "yes" for this bed type is due to arrive
   */
  public static FacilityReadiness.Beds beds(int baseline, int occupied, Integer nursesOnShift, List<Instant> arrivals,
                                            int patientsPerNurse, Instant now, String setBy, Instant setAt,
                                            boolean overdue) {
    int available = Math.max(0, baseline - occupied);
    int arrived = (int) arrivals.stream().filter(at -> !at.isAfter(now)).count();
    int expected = arrivals.size() - arrived;
    int staffed;
    if (nursesOnShift == null) {
      staffed = available;
    } else {
      int nurses = (nursesOnShift == null ? 0 : nursesOnShift) + arrived;
      staffed = Math.max(0, Math.min(available, nurses * patientsPerNurse - occupied));
    }
    return new FacilityReadiness.Beds(baseline, occupied, available, staffed,
        nursesOnShift == null ? 0 : nursesOnShift, arrived, expected, setBy, setAt, overdue);
  }
}
