package io.muster.roster.domain;

/** A place that runs incidents: a hospital, a clinic, a nursing home; shifts are in its time zone. */
public record Facility(String id, String name, FacilityType type, java.time.ZoneId zone) {
  public Facility(String id, String name, FacilityType type) {
    this(id, name, type, java.time.ZoneOffset.UTC);
  }

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
    zone = zone == null ? java.time.ZoneOffset.UTC : zone;
  }
}
