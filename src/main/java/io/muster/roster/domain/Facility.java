package io.muster.roster.domain;

/** A place that runs incidents: a hospital, a clinic, a nursing home. */
public record Facility(String id, String name, FacilityType type) {
  public Facility {
    if (id == null || !id.matches("[a-z0-9][a-z0-9-]{0,63}")) {
      throw new IllegalArgumentException("id: must be lowercase letters, digits and dashes, got " + id);
    }
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name: must not be blank");
    }
    if (type == null) {
      throw new IllegalArgumentException("type: is required");
    }
  }
}
