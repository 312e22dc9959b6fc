package io.muster.playbook;

import io.muster.notify.NotificationSql;

/** A feature class that uses another feature's adapter (not its port or domain): breaks the rule, for ArchitectureTest. */
public final class AdapterLeakFixture {
  private AdapterLeakFixture() {
  }

  public static Class<?> leak() {
    return NotificationSql.class;
  }
}
