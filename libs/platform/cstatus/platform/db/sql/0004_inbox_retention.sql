-- The inbox is pruned by age (`cstatus.platform.db.retention`): an index to find the old rows.
CREATE INDEX IF NOT EXISTS inbox_received_at ON inbox (received_at);
