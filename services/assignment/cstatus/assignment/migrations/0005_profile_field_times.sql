-- Per profile field, the CloudEvents time of the event that set it: the latest event by time wins,
-- whatever the processing order (SPEC §1 v2). Expand only: older code ignores the column.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS field_times jsonb NOT NULL DEFAULT '{}'::jsonb;
