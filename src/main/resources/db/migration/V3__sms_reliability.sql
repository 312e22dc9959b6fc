-- SMS that hospitals can rely on: send priorities, the cluster-wide pacer, phone states (opted
-- out, unreachable, carrier-filtered), one delayed retry of an undelivered message, and messages
-- about no incident (help text).
ALTER TABLE notification ADD COLUMN priority INT DEFAULT 1 NOT NULL;
ALTER TABLE notification ADD COLUMN retry_of VARCHAR(36);
ALTER TABLE notification ALTER COLUMN incident_id DROP NOT NULL;
CREATE INDEX notification_due_by_priority ON notification (status, priority, next_attempt_at);

-- The pacer: the next free send slot, in microseconds since the epoch. Each claim reserves slots
-- under this row's lock, so all nodes together keep to one messages-per-second budget.
CREATE TABLE sms_pacer (
  id      INT PRIMARY KEY,
  next_at BIGINT NOT NULL
);
INSERT INTO sms_pacer (id, next_at) VALUES (1, 0);

CREATE TABLE phone_status (
  phone      VARCHAR(20) PRIMARY KEY,
  status     VARCHAR(16) NOT NULL,
  error_code INT,
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL
);
