package io.muster.sim;

import io.muster.notify.Inbox;

/** The simulator knowing one of Muster's features: breaks the rule, for ArchitectureTest. */
public final class SimLeakFixture {
  private SimLeakFixture() {
  }

  public static Class<?> leak() {
    return Inbox.class;
  }
}
