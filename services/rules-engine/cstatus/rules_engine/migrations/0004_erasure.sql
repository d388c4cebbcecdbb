-- `customer.erased`: when it happened; the customer's activity keeps only what the counts need
-- (type, time, amounts, arrival dates), its business ids and event ids become pseudonyms.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS erased_at timestamptz;
