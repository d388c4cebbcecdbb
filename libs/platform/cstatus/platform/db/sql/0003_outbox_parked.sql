-- Outbox rows the broker refused for good (e.g. over its message size): parked here with the
-- error, so they no longer hold up the rows behind them. An operator inspects them, fixes the
-- cause and moves them back (docs/operations.md, "Parked outbox messages").
CREATE TABLE IF NOT EXISTS outbox_parked (
    id         bigint      PRIMARY KEY,
    topic      text        NOT NULL,
    key        bytea,
    value      bytea       NOT NULL,
    headers    jsonb       NOT NULL DEFAULT '[]'::jsonb,
    created_at timestamptz NOT NULL,
    parked_at  timestamptz NOT NULL DEFAULT now(),
    error      text        NOT NULL
);
