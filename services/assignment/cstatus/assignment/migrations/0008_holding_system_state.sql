-- A holding keeps the system_state of the status it was entered with (SPEC §1 v2: guards do not
-- drift with configuration), so `deleted` stays terminal and its denials stay even if an admin
-- archives, renames or deletes the status later. Expand only: NULL (older rows) falls back to the
-- configuration.
ALTER TABLE statuses ADD COLUMN IF NOT EXISTS system_state text;
