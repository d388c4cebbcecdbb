-- How the customer entered the status they hold (the rule of the automatic change that moved
-- them there): a status entered by `first_activity` stays matched when an admin edits or removes
-- that rule (SPEC §1 v2: Lead → Client never reverts). Expand only.
ALTER TABLE holdings ADD COLUMN IF NOT EXISTS entered_by text;
