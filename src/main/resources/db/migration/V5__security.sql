-- People who sign in: a unique id, a bcrypt hash (never the password), one role, and the
-- facilities they may see ('*' for all, else a comma-separated list).
CREATE TABLE app_user (
  id            VARCHAR(36) PRIMARY KEY,
  username      VARCHAR(64) NOT NULL UNIQUE,
  password_hash VARCHAR(100) NOT NULL,
  user_role     VARCHAR(16) NOT NULL,
  facilities    VARCHAR(2000) NOT NULL,
  created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by    VARCHAR(200) NOT NULL,
  disabled      BOOLEAN NOT NULL
);

-- Machine keys (CAP feeds, monitoring): only the SHA-256 of the secret part is kept.
CREATE TABLE api_key (
  id          VARCHAR(36) PRIMARY KEY,
  name        VARCHAR(100) NOT NULL,
  secret_hash VARCHAR(64) NOT NULL,
  key_role    VARCHAR(16) NOT NULL,
  facilities  VARCHAR(2000) NOT NULL,
  created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  created_by  VARCHAR(200) NOT NULL,
  revoked_at  TIMESTAMP WITH TIME ZONE
);

-- Websocket tickets: short-lived and single-use, whichever node the socket reaches.
CREATE TABLE ws_ticket (
  ticket      VARCHAR(64) PRIMARY KEY,
  principal   VARCHAR(4000) NOT NULL,
  expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The audit log: append-only and hash-chained. Each row's hash covers its fields and the previous
-- row's hash, so an edited or deleted row breaks the chain (see `muster audit-verify`). Rows are
-- appended under the journal head's lock, so the chain has one order across the cluster; the head
-- row also keeps the newest audit row, so removing rows from the end is detected too.
CREATE TABLE audit_log (
  seq        BIGINT PRIMARY KEY,
  logged_at  TIMESTAMP WITH TIME ZONE NOT NULL,
  actor      VARCHAR(200) NOT NULL,
  origin     VARCHAR(200) NOT NULL,
  action     VARCHAR(200) NOT NULL,
  target     VARCHAR(200),
  outcome    VARCHAR(64) NOT NULL,
  detail     VARCHAR(4000) NOT NULL,
  journal_seq BIGINT,
  prev_hash  VARCHAR(64) NOT NULL,
  row_hash   VARCHAR(64) NOT NULL
);
ALTER TABLE journal_head ADD COLUMN audit_seq BIGINT DEFAULT 0 NOT NULL;
ALTER TABLE journal_head ADD COLUMN audit_hash VARCHAR(64) DEFAULT '0000000000000000000000000000000000000000000000000000000000000000' NOT NULL;

-- Each journal event names its facility, so the live stream can show a user only theirs.
ALTER TABLE journal ADD COLUMN facility_id VARCHAR(64);
CREATE INDEX journal_by_type ON journal (event_type, seq);
