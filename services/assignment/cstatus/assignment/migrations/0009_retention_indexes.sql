-- Retention (service/retention.py): the old rows are found by time.
CREATE INDEX IF NOT EXISTS applied_refs_created_at ON applied_refs (created_at);
CREATE INDEX IF NOT EXISTS status_changes_recorded_at ON status_changes (recorded_at);
