-- Bulk changes travel as chunks on customer-status.bulk.v1 (the customer ids are in the messages):
-- the per-customer items give way to the chunks already counted and the refusals per customer.
-- Expand only (docs/operations.md, "Migrations"): `bulk_items`, which the previous release still
-- writes during a rolling upgrade, stays until a `_contract_` migration of a later release.

CREATE TABLE bulk_chunks (
    job_id text    NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    chunk  integer NOT NULL,
    PRIMARY KEY (job_id, chunk)
);

CREATE TABLE bulk_refusals (
    job_id      text NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    customer_id text NOT NULL,
    code        text NOT NULL,
    message     text NOT NULL,
    PRIMARY KEY (job_id, customer_id)
);
