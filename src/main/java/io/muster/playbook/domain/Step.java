package io.muster.playbook.domain;

/** One thing a playbook does when its incident starts: page, run a rollcall, change readiness. */
public sealed interface Step permits PageStep, RollcallStep, ReadinessStep {
  /** Unique within its playbook; timers and notifications refer to it. */
  String id();

  /** When the step runs (always, unless it says otherwise). */
  Condition when();
}
