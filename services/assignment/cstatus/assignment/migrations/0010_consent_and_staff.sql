-- SPEC §1 (v2): marketing consent has three states (opted in / objected / no answer), and a
-- booking's staff member and time give the customer's usual staff (staff change warning).
-- Expand only: older code ignores the new columns.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS marketing_objected boolean;
ALTER TABLE appointments ADD COLUMN IF NOT EXISTS staff_id text;
ALTER TABLE appointments ADD COLUMN IF NOT EXISTS booked_at timestamptz;
CREATE INDEX IF NOT EXISTS appointments_usual_staff
    ON appointments (tenant, customer_id, booked_at DESC)
    WHERE staff_id IS NOT NULL AND NOT cancelled;
