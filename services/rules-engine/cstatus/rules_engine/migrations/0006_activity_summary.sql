-- The member-care desk's activity view (issue 14): spend per currency and the outlier
-- transactions of a customer. Expand only: older code ignores the column and the table.
ALTER TABLE activity ADD COLUMN IF NOT EXISTS currency text;
CREATE TABLE IF NOT EXISTS outliers (
    tenant         text        NOT NULL,
    customer       text        NOT NULL,
    event_id       text        NOT NULL,
    transaction_id text        NOT NULL,
    reason         text        NOT NULL,
    status_code    text,
    flagged_at     timestamptz NOT NULL,
    PRIMARY KEY (tenant, customer, event_id)
);
