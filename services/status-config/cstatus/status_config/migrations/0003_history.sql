-- Every published configuration version, whole, with who made it and when (SPEC 1.9): the
-- history answers which rules decided on a given day, after they have changed.
CREATE TABLE config_history (
    tenant     text        NOT NULL REFERENCES tenants (tenant),
    version    bigint      NOT NULL,
    changed_at timestamptz NOT NULL,
    actor      text        NOT NULL,
    document   jsonb       NOT NULL,
    PRIMARY KEY (tenant, version)
);
