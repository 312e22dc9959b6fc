package io.muster.readiness.domain;

import io.muster.common.Event;
import java.util.Map;

/** What changes on a facility's readiness board. */
public sealed interface ReadinessEvent extends Event {

  /** Values set on the board (field → value), by whom. */
  @Event.Type("readiness.updated")
  record Updated(String facilityId, Map<String, String> changes, String by) implements ReadinessEvent { }

  /**
   * A threshold rule started to hold at the facility; {@code trigger} is the incident type it
   * starts, with {@code summary} (unless one of that type is active there).
   */
  @Event.Type("readiness.threshold-crossed")
  record ThresholdCrossed(String facilityId, String rule, String trigger, String summary) implements ReadinessEvent { }
}
