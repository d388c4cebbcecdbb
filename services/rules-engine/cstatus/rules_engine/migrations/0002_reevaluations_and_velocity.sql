-- One re-evaluation job per (tenant, category): all the tenant's customers, a page at a time, after
-- a configuration change of that category. A newer version restarts it; `cursor` is the last
-- customer done (keyset), so a crash resumes there.
CREATE TABLE reevaluations (
    tenant      text        NOT NULL,
    category    text        NOT NULL,
    version     integer     NOT NULL,
    cursor      text,
    total       integer,
    done        integer     NOT NULL DEFAULT 0,
    proposed    integer     NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (tenant, category)
);
CREATE INDEX reevaluations_pending ON reevaluations (updated_at) WHERE finished_at IS NULL;

-- Per tenant, the epoch of its Redis velocity windows: bumped when a batch could not write its
-- points to Redis, so every replica refills the windows from the activity.
CREATE TABLE velocity_epochs (
    tenant text   PRIMARY KEY,
    epoch  bigint NOT NULL
);
