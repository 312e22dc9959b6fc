-- attempt_refused: the row's last send attempt ended in the provider's definite refusal (an answer,
-- not a timeout), recorded with the attempt. A row claimed before, without a provider SID and
-- without this mark may have reached the provider (a crash can undo what was recorded after the
-- claim): it is looked up before it is sent again.
ALTER TABLE notification ADD COLUMN attempt_refused BOOLEAN DEFAULT FALSE NOT NULL;
