-- Proposals made with a newer configuration than this service has yet (a category or status it
-- does not know): kept until that version arrives, then applied, instead of being rejected and
-- lost (a configuration race between the services).
CREATE TABLE IF NOT EXISTS deferred_proposals (
    tenant         text        NOT NULL,
    ref_id         text        NOT NULL,
    customer_id    text        NOT NULL,
    config_version bigint      NOT NULL,
    request        jsonb       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, ref_id)
);
