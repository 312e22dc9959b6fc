-- The journal: every event, in one global order. The single head row is locked by each appending
-- transaction, so sequence numbers are handed out in commit order: a reader that has seen
-- sequence N and reads "after N" can never miss an event committed later with a smaller number.
CREATE TABLE journal_head (
  id  INT PRIMARY KEY,
  seq BIGINT NOT NULL
);
INSERT INTO journal_head (id, seq) VALUES (1, 0);

CREATE TABLE journal (
  seq         BIGINT PRIMARY KEY,
  event_type  VARCHAR(64) NOT NULL,
  incident_id VARCHAR(36),
  occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
  actor       VARCHAR(200) NOT NULL,
  payload     VARCHAR(1000000) NOT NULL
);
CREATE INDEX journal_by_incident ON journal (incident_id, seq);

CREATE TABLE incident (
  id              VARCHAR(36) PRIMARY KEY,
  ref             VARCHAR(12) NOT NULL UNIQUE,
  incident_type   VARCHAR(64) NOT NULL,
  facility_id     VARCHAR(64) NOT NULL,
  summary         VARCHAR(500) NOT NULL,
  severity        VARCHAR(16) NOT NULL,
  drill           BOOLEAN NOT NULL,
  status          VARCHAR(16) NOT NULL,
  triggered_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  triggered_by    VARCHAR(200) NOT NULL,
  resolved_at     TIMESTAMP WITH TIME ZONE,
  resolved_by     VARCHAR(200),
  idempotency_key VARCHAR(200) UNIQUE,
  request_hash    VARCHAR(64)
);
CREATE INDEX incident_by_status ON incident (status, triggered_at);

-- The outbox: a row is committed before its SMS is sent; the dispatcher claims it with a lease.
CREATE TABLE notification (
  id               VARCHAR(36) PRIMARY KEY,
  incident_id      VARCHAR(36) NOT NULL REFERENCES incident (id),
  staff_id         VARCHAR(64) NOT NULL,
  staff_name       VARCHAR(200) NOT NULL,
  phone            VARCHAR(20) NOT NULL,
  kind             VARCHAR(16) NOT NULL,
  body             VARCHAR(1600) NOT NULL,
  requires_ack     BOOLEAN NOT NULL,
  status           VARCHAR(16) NOT NULL,
  provider_sid     VARCHAR(64) UNIQUE,
  error_code       INT,
  attempts         INT NOT NULL,
  next_attempt_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  lease_owner      VARCHAR(64),
  lease_until      TIMESTAMP WITH TIME ZONE,
  first_claimed_at TIMESTAMP WITH TIME ZONE,
  created_at       TIMESTAMP WITH TIME ZONE NOT NULL,
  sent_at          TIMESTAMP WITH TIME ZONE,
  status_at        TIMESTAMP WITH TIME ZONE,
  acked_at         TIMESTAMP WITH TIME ZONE,
  ack_message_sid  VARCHAR(64)
);
CREATE INDEX notification_due ON notification (status, next_attempt_at);
CREATE INDEX notification_by_incident ON notification (incident_id, created_at);
CREATE INDEX notification_open_pages ON notification (phone, acked_at);

-- Every inbound SMS once: Twilio may deliver a webhook more than once, the SID keeps it single.
CREATE TABLE inbound_message (
  message_sid     VARCHAR(64) PRIMARY KEY,
  from_phone      VARCHAR(20) NOT NULL,
  body            VARCHAR(1600) NOT NULL,
  received_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  notification_id VARCHAR(36),
  outcome         VARCHAR(32) NOT NULL
);
