-- A tenant's configuration: categories, their statuses and status icons. Each category and status
-- row keeps its document (the contract model of customer-status.config.v1) and a row version used
-- as its ETag; the tenant row holds the configuration version, bumped in every write transaction.
CREATE TABLE tenants (
    tenant           text        PRIMARY KEY,
    default_language text        NOT NULL,
    version          bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
    id          text    PRIMARY KEY,
    tenant      text    NOT NULL REFERENCES tenants (tenant),
    code        text    NOT NULL,
    seq         bigint  GENERATED ALWAYS AS IDENTITY,
    row_version integer NOT NULL DEFAULT 1,
    doc         jsonb   NOT NULL,
    UNIQUE (tenant, code)
);

CREATE TABLE statuses (
    id          text    PRIMARY KEY,
    tenant      text    NOT NULL REFERENCES tenants (tenant),
    category_id text    NOT NULL REFERENCES categories (id) ON DELETE CASCADE,
    code        text    NOT NULL,
    seq         bigint  GENERATED ALWAYS AS IDENTITY,
    row_version integer NOT NULL DEFAULT 1,
    doc         jsonb   NOT NULL,
    UNIQUE (category_id, code)
);
CREATE INDEX statuses_by_tenant ON statuses (tenant, category_id, seq);

CREATE TABLE icons (
    status_id    text  PRIMARY KEY REFERENCES statuses (id) ON DELETE CASCADE,
    tenant       text  NOT NULL,
    content_type text  NOT NULL,
    content      bytea NOT NULL,
    etag         text  NOT NULL
);
