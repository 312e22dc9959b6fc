package io.muster.incident;

import io.muster.app.MusterConfig;

/** A feature class that reaches up into app: deliberately breaks the rule, for ArchitectureTest. */
public final class AppLeakFixture {
  private AppLeakFixture() {
  }

  public static String leak(MusterConfig config) {
    return config.nodeId();
  }
}
