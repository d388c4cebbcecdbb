-- The highest configuration version seen per tenant (customer-status.config.v1).
CREATE TABLE tenant_config (
    tenant     text        PRIMARY KEY,
    version    integer     NOT NULL,
    document   jsonb       NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- The customer directory (crm.customers.v1) and the lock every change of a customer takes.
-- `version` grows with every change to the customer's statuses, profile or appointments.
CREATE TABLE customers (
    tenant           text        NOT NULL,
    customer_id      text        NOT NULL,
    customer_number  text,
    first_name       text,
    last_name        text,
    email            text,
    phone            text,
    active           boolean     NOT NULL DEFAULT true,
    marketing_opt_in boolean,
    tags             text[],
    erased           boolean     NOT NULL DEFAULT false,
    version          bigint      NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, customer_id)
);
CREATE INDEX customers_number ON customers (tenant, customer_number);
CREATE INDEX customers_email ON customers (tenant, lower(email));
CREATE INDEX customers_name ON customers (tenant, lower(last_name), lower(first_name));

-- One current status per (tenant, customer, category); status_code NULL = no status.
CREATE TABLE statuses (
    tenant               text        NOT NULL,
    customer_id          text        NOT NULL,
    category_code        text        NOT NULL,
    status_code          text,
    source               text        NOT NULL,
    since                timestamptz NOT NULL,
    pinned               boolean     NOT NULL DEFAULT false,
    pinned_until         timestamptz,
    reason               text,
    updated_by           text        NOT NULL,
    updated_at           timestamptz NOT NULL,
    sequence             integer     NOT NULL,
    last_manual_sequence integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, customer_id, category_code),
    FOREIGN KEY (tenant, customer_id) REFERENCES customers (tenant, customer_id)
);
CREATE INDEX statuses_by_status ON statuses (tenant, category_code, status_code, customer_id);
CREATE INDEX statuses_pins ON statuses (pinned_until) WHERE pinned AND pinned_until IS NOT NULL;

-- The service's own log of applied changes: the sequence per (customer, category) has no gaps.
CREATE TABLE status_changes (
    change_id     text        PRIMARY KEY,
    tenant        text        NOT NULL,
    customer_id   text        NOT NULL,
    category_code text        NOT NULL,
    sequence      integer     NOT NULL,
    from_code     text,
    to_code       text,
    source        text        NOT NULL,
    actor         text        NOT NULL,
    reason        text,
    ref_id        text,
    effective_at  timestamptz NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (tenant, customer_id, category_code, sequence)
);

-- Commands, proposals and requests already judged, so a retry changes nothing.
CREATE TABLE applied_refs (
    tenant     text        NOT NULL,
    ref_id     text        NOT NULL,
    outcome    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, ref_id)
);

-- Reservations, for max_appointments (a cancellation may arrive before its booking).
CREATE TABLE appointments (
    tenant         text    NOT NULL,
    customer_id    text    NOT NULL,
    reservation_id text    NOT NULL,
    arrival_date   date,
    service_code   text,
    cancelled      boolean NOT NULL DEFAULT false,
    PRIMARY KEY (tenant, customer_id, reservation_id)
);
