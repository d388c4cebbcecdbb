-- Every activity event of every customer, once (the domain folds them in any order).
CREATE TABLE activity (
    tenant       text        NOT NULL,
    customer     text        NOT NULL,
    event_id     text        NOT NULL,
    type         text        NOT NULL,
    time         timestamptz NOT NULL,
    ref          text        NOT NULL,
    amount       numeric,
    points       bigint,
    arrival_date date,
    PRIMARY KEY (tenant, customer, event_id)
);
-- The sweep's candidate queries: reservations by arrival date, events by time.
CREATE INDEX activity_arrival ON activity (tenant, arrival_date) WHERE arrival_date IS NOT NULL;
CREATE INDEX activity_time ON activity (tenant, time);

-- Every customer seen in any event (also those without activity), for re-evaluation on new config.
CREATE TABLE customers (
    tenant     text        NOT NULL,
    customer   text        NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, customer)
);

-- The highest version of each tenant's configuration document.
CREATE TABLE configs (
    tenant     text        PRIMARY KEY,
    version    integer     NOT NULL,
    document   jsonb       NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- What each customer holds per category, from the change with the highest sequence.
CREATE TABLE holdings (
    tenant       text        NOT NULL,
    customer     text        NOT NULL,
    category     text        NOT NULL,
    status_code  text,
    system_state text,
    pinned       boolean     NOT NULL DEFAULT false,
    pinned_until timestamptz,
    sequence     bigint      NOT NULL,
    PRIMARY KEY (tenant, customer, category)
);

-- The last target proposed per customer and category, until a change for it arrives.
CREATE TABLE outstanding (
    tenant      text        NOT NULL,
    customer    text        NOT NULL,
    category    text        NOT NULL,
    status_code text,
    proposed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant, customer, category)
);

-- The date of each tenant's last sweep: the next one looks only at windows changed since.
CREATE TABLE sweeps (
    tenant     text        PRIMARY KEY,
    last_as_of date        NOT NULL,
    swept_at   timestamptz NOT NULL DEFAULT now()
);
