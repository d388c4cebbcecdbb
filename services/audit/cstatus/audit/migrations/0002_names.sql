-- Names of categories and statuses in every language, from the configuration topic, so that
-- history, as-of and timeline answers speak the language the reader asks for (issue 14). One row
-- per tenant: its highest configuration version.
CREATE TABLE IF NOT EXISTS names (
    tenant           text        PRIMARY KEY,
    version          bigint      NOT NULL,
    default_language text        NOT NULL,
    document         jsonb       NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
