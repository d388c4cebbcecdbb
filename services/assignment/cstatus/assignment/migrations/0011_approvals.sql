-- SPEC 1.8 (four eyes): a manual change into a status that requires approval waits here for a
-- second person. `state` is what was decided; a pending request past `expires_at` reads as
-- expired.
CREATE TABLE IF NOT EXISTS approvals (
    id              text        PRIMARY KEY,
    tenant          text        NOT NULL,
    customer_id     text        NOT NULL,
    category_code   text        NOT NULL,
    status_code     text        NOT NULL,
    requested_by    text        NOT NULL,
    requested_at    timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    reason          text,
    until           timestamptz,
    pin             boolean     NOT NULL DEFAULT true,
    state           text        NOT NULL DEFAULT 'pending',
    decided_by      text,
    decided_at      timestamptz,
    decision_reason text,
    refusal_code    text
);
CREATE INDEX IF NOT EXISTS approvals_by_state ON approvals (tenant, state, requested_at);
CREATE INDEX IF NOT EXISTS approvals_by_customer ON approvals (tenant, customer_id);

-- A bulk change into such a status makes one request per customer; the job counts them.
ALTER TABLE bulk_jobs ADD COLUMN IF NOT EXISTS pending integer NOT NULL DEFAULT 0;
