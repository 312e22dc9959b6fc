package io.muster.common;

import io.vertx.core.json.JsonObject;

/**
 * Deliberately breaks the dependency rule so ArchitectureTest can prove its rule fails. It is a
 * test class, so the real architecture check (which excludes tests) never sees it.
 */
public final class VertxLeakFixture {
  private VertxLeakFixture() {
  }

  public static JsonObject leak() {
    return new JsonObject();
  }
}
