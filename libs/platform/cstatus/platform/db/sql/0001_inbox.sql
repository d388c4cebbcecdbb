-- Inbox: one row per (consumer, tenant, event id) already processed; inserted in the transaction
-- of the work, so a redelivered message is recognised and dropped.
CREATE TABLE inbox (
    consumer    text        NOT NULL,
    tenant      text        NOT NULL,
    event_id    text        NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, tenant, event_id)
);
