package io.muster.readiness.domain;

import java.time.Instant;
import java.util.Map;

/**
 * One facility's readiness board as coordinators and regional partners see it. Every value says
 * who set it and when, and whether it is overdue (older than the facility's reporting interval).
 *
 * @param facilityType hospital, clinic or nursing-home
 * @param beds by HAvBED type
 * @param edStatus normal, advisory, diversion, closed, mass-casualty
 * @param emsTraffic open, advisory, closed
 * @param facilityStatus normal, limited, evacuating, closed
 * @param systems power, water, hvac, medical-gases, ehr, communications: up, degraded, down
 * @param supplies numeric supplies, e.g. ppe-days
 */
public record FacilityReadiness(String facilityId, String facilityName, String facilityType,
                                Map<BedType, Beds> beds, Value edStatus, Value emsTraffic, Value facilityStatus,
                                Map<String, SystemState> systems, Map<String, Value> supplies, Instant updatedAt) {

  /**
   * Beds of one type. {@code available} = baseline − occupied; {@code staffedAvailable}: the
   * available beds that have the nurses they need now (nurses on shift plus rollcall "yes" answers
   * whose arrival time has come), given the type's patients-per-nurse ratio.
   */
  public record Beds(int baseline, int occupied, int available, int staffedAvailable, int nursesOnShift,
                     int nursesArrived, int nursesExpected, String setBy, Instant setAt, boolean overdue) { }

  /** A reported value. */
  public record Value(String value, String setBy, Instant setAt, boolean overdue) { }

  /** A critical system's state and note. */
  public record SystemState(String state, String note, String setBy, Instant setAt, boolean overdue) { }
}
