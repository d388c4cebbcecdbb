-- SPEC 1.8 (four eyes): who approved a change, sealed with the customer's key like its actor.
-- Expand only: older code ignores the column.
ALTER TABLE change_log ADD COLUMN IF NOT EXISTS approved_by_sealed bytea;
