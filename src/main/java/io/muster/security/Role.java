package io.muster.security;

import io.muster.common.InvalidInput;

/** What a user or key may do; each role may do everything the roles below it may. */
public enum Role {
  VIEWER, COORDINATOR, COMMANDER, ADMIN;

  public boolean atLeast(Role needed) {
    return ordinal() >= needed.ordinal();
  }

  public String id() {
    return name().toLowerCase();
  }

  public static Role of(String field, String value) {
    for (Role r : values()) {
      if (r.id().equals(value)) {
        return r;
      }
    }
    throw new InvalidInput(field, "must be one of viewer, coordinator, commander, admin; got '" + value + "'");
  }
}
