-- A batch writes its holdings in one statement; the foreign key to customers checked each row in a
-- trigger of its own and cost more than the write itself (800 rows: ~55 ms → ~20 ms). Customers are
-- never deleted, and every batch locks (and so adds) its customers before it writes their holdings.
ALTER TABLE statuses DROP CONSTRAINT IF EXISTS statuses_tenant_customer_id_fkey;
