-- A message without a value is a tombstone (a compacted topic forgets the key): e.g. a
-- customer's snapshot after an erasure. Expand only: relaxing NOT NULL breaks no older code.
ALTER TABLE outbox ALTER COLUMN value DROP NOT NULL;
ALTER TABLE outbox_parked ALTER COLUMN value DROP NOT NULL;
