-- Playbook runs: which step and escalation level a message belongs to, who fills each position,
-- rollcall answers, tasks, and the durable timers that drive escalation, widening, overdue tasks
-- and reminders.
ALTER TABLE notification ADD COLUMN step_id VARCHAR(64);
ALTER TABLE notification ADD COLUMN esc_level INT DEFAULT 0 NOT NULL;

CREATE TABLE incident_position (
  incident_id VARCHAR(36) NOT NULL REFERENCES incident (id),
  position    VARCHAR(64) NOT NULL,
  staff_id    VARCHAR(64) NOT NULL,
  staff_name  VARCHAR(200) NOT NULL,
  phone       VARCHAR(20) NOT NULL,
  PRIMARY KEY (incident_id, position)
);

CREATE TABLE rollcall (
  incident_id VARCHAR(36) NOT NULL REFERENCES incident (id),
  step_id     VARCHAR(64) NOT NULL,
  status      VARCHAR(16) NOT NULL,
  PRIMARY KEY (incident_id, step_id)
);

-- A person's latest answer: a later answer replaces the earlier one.
CREATE TABLE rollcall_answer (
  incident_id VARCHAR(36) NOT NULL REFERENCES incident (id),
  step_id     VARCHAR(64) NOT NULL,
  staff_id    VARCHAR(64) NOT NULL,
  staff_name  VARCHAR(200) NOT NULL,
  choice      INT NOT NULL,
  yes         BOOLEAN NOT NULL,
  counted     BOOLEAN NOT NULL,
  eta_minutes INT,
  answered_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (incident_id, step_id, staff_id)
);

CREATE TABLE incident_task (
  incident_id  VARCHAR(36) NOT NULL REFERENCES incident (id),
  task_id      VARCHAR(64) NOT NULL,
  phase        VARCHAR(16) NOT NULL,
  owner        VARCHAR(64) NOT NULL,
  staff_id     VARCHAR(64),
  staff_name   VARCHAR(200),
  phone        VARCHAR(20),
  text         VARCHAR(1000) NOT NULL,
  due_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  status       VARCHAR(16) NOT NULL,
  completed_at TIMESTAMP WITH TIME ZONE,
  completed_by VARCHAR(200),
  PRIMARY KEY (incident_id, task_id)
);

-- Durable timers. A node claims a due timer with a lease; it fires it (status 'fired') in the
-- same transaction as the timer's effects, and only while the lease is still its own, so a timer
-- fires once even when its node dies and another takes it over.
CREATE TABLE playbook_timer (
  id          VARCHAR(36) PRIMARY KEY,
  incident_id VARCHAR(36) NOT NULL REFERENCES incident (id),
  kind        VARCHAR(16) NOT NULL,
  target      VARCHAR(64) NOT NULL,
  esc_level   INT NOT NULL,
  attempt     INT NOT NULL,
  due_at      TIMESTAMP WITH TIME ZONE NOT NULL,
  status      VARCHAR(16) NOT NULL,
  lease_owner VARCHAR(64),
  lease_until TIMESTAMP WITH TIME ZONE,
  fired_at    TIMESTAMP WITH TIME ZONE,
  fired_by    VARCHAR(64)
);
CREATE INDEX playbook_timer_due ON playbook_timer (status, due_at);
CREATE INDEX playbook_timer_by_incident ON playbook_timer (incident_id, status);
