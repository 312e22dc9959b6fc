-- Features that react to another feature's events read the journal with a cursor of their own:
-- the row is locked while its events are handled and moved in the same transaction, so each event
-- is handled once across the cluster and none is skipped (journal sequences become visible in order).
CREATE TABLE journal_cursor (
  name VARCHAR(64) PRIMARY KEY,
  seq  BIGINT NOT NULL
);
-- Readiness thresholds start their incidents (until now in the threshold's own transaction, so
-- nothing before this point is waiting).
INSERT INTO journal_cursor (name, seq) SELECT 'incident.thresholds', seq FROM journal_head WHERE id = 1;
