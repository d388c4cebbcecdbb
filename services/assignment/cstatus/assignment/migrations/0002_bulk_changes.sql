-- Bulk status changes: a job and one item per customer, worked in chunks by a task of the service.
CREATE TABLE bulk_jobs (
    id            text        PRIMARY KEY,
    tenant        text        NOT NULL,
    actor         text        NOT NULL,
    category_code text        NOT NULL,
    status_code   text,
    reason        text,
    until         timestamptz,
    state         text        NOT NULL DEFAULT 'queued',
    total         integer     NOT NULL DEFAULT 0,
    processed     integer     NOT NULL DEFAULT 0,
    applied       integer     NOT NULL DEFAULT 0,
    rejected      integer     NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bulk_jobs_open ON bulk_jobs (created_at) WHERE state IN ('queued', 'running');

CREATE TABLE bulk_items (
    job_id      text NOT NULL REFERENCES bulk_jobs (id) ON DELETE CASCADE,
    customer_id text NOT NULL,
    state       text NOT NULL DEFAULT 'pending',
    code        text,
    message     text,
    PRIMARY KEY (job_id, customer_id)
);
CREATE INDEX bulk_items_pending ON bulk_items (job_id, customer_id) WHERE state = 'pending';
