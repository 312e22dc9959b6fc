-- Facility readiness: the latest value of each reported field (beds by type, ED and EMS status,
-- critical systems, supplies), who set it and when. A row per facility serialises its updates.
CREATE TABLE readiness_facility (
  facility_id VARCHAR(64) PRIMARY KEY
);

CREATE TABLE readiness_value (
  facility_id VARCHAR(64) NOT NULL REFERENCES readiness_facility (facility_id),
  field       VARCHAR(96) NOT NULL,
  field_value VARCHAR(500) NOT NULL,
  set_by      VARCHAR(200) NOT NULL,
  set_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (facility_id, field)
);

-- Which threshold rules hold now, so that an incident is triggered when a rule starts to hold,
-- not on every update while it does.
CREATE TABLE readiness_threshold (
  facility_id VARCHAR(64) NOT NULL,
  rule_id     VARCHAR(96) NOT NULL,
  PRIMARY KEY (facility_id, rule_id)
);

-- One reminder per overdue value (per time it was set), whichever node sends it.
CREATE TABLE readiness_reminder (
  facility_id VARCHAR(64) NOT NULL,
  field       VARCHAR(96) NOT NULL,
  set_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  reminded_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (facility_id, field, set_at)
);
