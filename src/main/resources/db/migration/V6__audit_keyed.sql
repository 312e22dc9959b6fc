-- The audit log's head gets a table of its own, so appending to the log no longer takes the
-- journal head's lock (the hot row that orders every business transaction). Audit rows are
-- appended under this row's lock, one writer at a time across the cluster:
--   seq, row_hash  the newest row (removing rows from the end without moving it back is seen);
--   keyed_from     the first row chained with the audit key (an anchor row that records the plain
--                  SHA-256 chain's head before it); NULL until a node with the key first writes;
--   journal_seq    the newest journal event audited: the auditor resumes after it.
-- The key is never stored here. Rows before keyed_from are checked as the old plain chain, which
-- the anchor's keyed hash seals.
CREATE TABLE audit_head (
  id          INT PRIMARY KEY,
  seq         BIGINT NOT NULL,
  row_hash    VARCHAR(64) NOT NULL,
  keyed_from  BIGINT,
  journal_seq BIGINT NOT NULL
);
INSERT INTO audit_head (id, seq, row_hash, keyed_from, journal_seq)
  SELECT 1, audit_seq, audit_hash, NULL, COALESCE((SELECT MAX(journal_seq) FROM audit_log), 0)
  FROM journal_head WHERE id = 1;
ALTER TABLE journal_head DROP COLUMN audit_seq;
ALTER TABLE journal_head DROP COLUMN audit_hash;

-- A journal event is audited once, whichever node's auditor gets to it.
CREATE UNIQUE INDEX audit_log_journal_event ON audit_log (journal_seq);
