-- reconcile_at: when the reconciler may next ask the provider about a row left 'sent' (no delivery
-- receipt came). A node's claim moves it on before it asks, so one node asks at a time, and a node
-- that dies while asking leaves the row to be asked again later.
ALTER TABLE notification ADD COLUMN reconcile_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX notification_by_status_at ON notification (status, status_at);
