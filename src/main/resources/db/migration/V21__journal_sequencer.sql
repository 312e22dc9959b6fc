-- The journal without one row that every writing transaction waits on. A transaction appends its
-- events with provisional, negative sequences (-nextval of journal_pending, so in the order they
-- were appended) and commits without taking any shared lock. Right after its commit, the writer
-- has them numbered: one short transaction (see Journal.sequence) takes the journal head's lock and
-- gives every committed provisional row, oldest first, the next numbers after the head. One such
-- pass numbers the rows of every transaction that committed before it, from every node, so under
-- load the head's lock is taken once per batch, not once per transaction. Readers only ever read
-- numbered rows (seq > 0): numbers still become visible in order, gap-free, as V1 promised.
CREATE SEQUENCE journal_pending START WITH 1 INCREMENT BY 1;
