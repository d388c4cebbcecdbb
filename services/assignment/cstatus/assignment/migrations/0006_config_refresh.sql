-- After a configuration change every customer of the tenant is refreshed in the background:
-- defaults given where a category has none yet, restrictions recomputed, snapshots re-published
-- (SPEC §1 v2, freshness and defaults reach everyone). One row per tenant: the newest version to
-- refresh to and how far the pass got (customer ids in order), so a crash resumes it.
CREATE TABLE IF NOT EXISTS config_refresh (
    tenant         text PRIMARY KEY,
    version        bigint NOT NULL,
    after_customer text NOT NULL DEFAULT '',
    done           bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now()
);
