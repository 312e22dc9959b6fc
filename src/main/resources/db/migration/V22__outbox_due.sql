-- The dispatchers look for due rows with two queries that each an index serves, instead of one OR
-- that none could: queued rows that are due, by (status, priority, next_attempt_at), which
-- notification_due_by_priority already serves; and claimed rows whose lease ran out, by
-- (status, lease_until), which this index serves. notification_due (status, next_attempt_at)
-- served only the old query: every index on notification is written on every claim and send.
CREATE INDEX notification_lease_expired ON notification (status, lease_until);
DROP INDEX notification_due;
