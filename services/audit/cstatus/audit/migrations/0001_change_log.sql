-- The audit log of schema {schema}. The log tables are append-only: a trigger refuses UPDATE,
-- DELETE and TRUNCATE, and the owning role gives those privileges up. Personal data (actor,
-- free-text reason, rejection message, CRM profile fields) is stored only encrypted with the
-- customer's key in customer_keys; erasing the customer deletes the key (crypto-shredding) and
-- leaves every row, so the fact and the count of each change remain.

-- One AES-256-GCM key per customer; `key` is NULL once the customer was erased.
CREATE TABLE customer_keys (
    tenant      text        NOT NULL,
    customer_id text        NOT NULL,
    key         bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz,
    erasure_id  text,
    PRIMARY KEY (tenant, customer_id),
    CHECK ((key IS NULL) = (erased_at IS NOT NULL))
);

-- One secret per tenant for the keyed digest of actors (searching by actor without plaintext).
CREATE TABLE tenant_secrets (
    tenant     text        PRIMARY KEY,
    secret     bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE change_log (
    id                   bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant               text        NOT NULL,
    customer_id          text        NOT NULL,
    change_id            text        NOT NULL,
    event_id             text        NOT NULL,
    category_code        text        NOT NULL,
    sequence             integer     NOT NULL,
    from_code            text,
    from_name            text,
    from_system_state    text,
    to_code              text,
    to_name              text,
    to_system_state      text,
    source               text        NOT NULL,
    actor_digest         bytea,
    actor_sealed         bytea,
    reason_sealed        bytea,
    explanation          jsonb,
    exclude_from_reports boolean     NOT NULL,
    effective_at         timestamptz NOT NULL,
    recorded_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant, change_id)
);
CREATE INDEX change_log_customer ON change_log (tenant, customer_id, effective_at, sequence, id);
CREATE INDEX change_log_category ON change_log (tenant, customer_id, category_code, sequence);
CREATE INDEX change_log_tenant ON change_log (tenant, effective_at, sequence, id);

CREATE TABLE rejection_log (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant         text        NOT NULL,
    customer_id    text        NOT NULL,
    event_id       text        NOT NULL,
    ref_id         text        NOT NULL,
    category_code  text        NOT NULL,
    status_code    text,
    reason_code    text        NOT NULL,
    message_sealed bytea,
    occurred_at    timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant, ref_id, category_code)
);
CREATE INDEX rejection_log_customer ON rejection_log (tenant, customer_id, occurred_at);

-- What the CRM said about the customer (customer.created / customer.updated), sealed.
CREATE TABLE profile_log (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant      text        NOT NULL,
    customer_id text        NOT NULL,
    event_id    text        NOT NULL,
    event_type  text        NOT NULL,
    data_sealed bytea,
    occurred_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant, event_id)
);
CREATE INDEX profile_log_customer ON profile_log (tenant, customer_id, occurred_at);

CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log %.% is append-only (% refused)', TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER change_log_append_only BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER rejection_log_append_only BEFORE UPDATE OR DELETE ON rejection_log
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER rejection_log_no_truncate BEFORE TRUNCATE ON rejection_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER profile_log_append_only BEFORE UPDATE OR DELETE ON profile_log
    FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER profile_log_no_truncate BEFORE TRUNCATE ON profile_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

REVOKE UPDATE, DELETE, TRUNCATE ON change_log, rejection_log, profile_log FROM PUBLIC, CURRENT_USER;
