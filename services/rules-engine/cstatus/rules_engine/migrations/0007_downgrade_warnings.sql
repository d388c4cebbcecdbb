-- SPEC 1.7 warn_days: the warnings ahead of a move down that were published, so each
-- (customer, category, day) is announced once however many sweeps see it coming. Rows of days
-- gone by are deleted by the next sweep of the tenant. Expand only: older code ignores it.
CREATE TABLE IF NOT EXISTS downgrade_warnings (
    tenant      text        NOT NULL,
    customer    text        NOT NULL,
    category    text        NOT NULL,
    due         date        NOT NULL,
    warned_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant, customer, category, due)
);
CREATE INDEX IF NOT EXISTS downgrade_warnings_due ON downgrade_warnings (tenant, due);
