"""PostgreSQL: every customer's activity events, the customers seen, and the sweep's candidates.

Connections come from the service pool, whose search_path is the service schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import asyncpg

from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts, fold
from cstatus.rules_engine.domain.metrics import ANY_RESERVATION
from cstatus.rules_engine.domain.sight import ACTIVITY_TYPES, NO_FACTS, Sight, with_edges

__all__ = [
    "OF_CUSTOMERS",
    "activity_between",
    "customers_of",
    "erase_activity",
    "erased_customers",
    "load_activity",
    "load_visible",
    "record_activity",
    "record_customers",
]


async def record_activity(
    conn: asyncpg.Connection, rows: Sequence[tuple[str, str, ActivityEvent]]
) -> None:
    """Store (tenant, customer, event); an event already stored is left as it is."""
    if not rows:
        return
    await conn.execute(
        "INSERT INTO activity"
        " (tenant, customer, event_id, type, time, ref, amount, points, arrival_date, currency)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[],"
        " $5::timestamptz[], $6::text[], $7::numeric[], $8::bigint[], $9::date[], $10::text[])"
        " ON CONFLICT DO NOTHING",
        [t for t, _, _ in rows],
        [c for _, c, _ in rows],
        [e.event_id for _, _, e in rows],
        [e.type for _, _, e in rows],
        [e.time for _, _, e in rows],
        [e.ref for _, _, e in rows],
        [e.amount for _, _, e in rows],
        [e.points for _, _, e in rows],
        [e.arrival_date for _, _, e in rows],
        [e.currency for _, _, e in rows],
    )


async def erase_activity(conn: asyncpg.Connection, pairs: Sequence[tuple[str, str]]) -> None:
    """SPEC §1 v2, erasure: the customers' activity keeps what the counts need (type, time,
    amount, points, arrival date); the business ids (`ref`) and event ids, which point into the
    upstream systems' personal data, become pseudonyms (cancellations and refunds still pair,
    as both sides are pseudonymised alike)."""
    unique = sorted(set(pairs))
    if not unique:
        return
    tenants, customers = [t for t, _ in unique], [c for _, c in unique]
    await conn.execute(  # once per customer: a repeated erasure leaves the pseudonyms alone
        "UPDATE activity a SET"
        " ref = 'x-' || left(encode(sha256(convert_to(a.tenant || ':' || a.customer || ':'"
        "  || a.ref, 'UTF8')), 'hex'), 32),"
        " event_id = 'x-' || left(encode(sha256(convert_to(a.tenant || ':' || a.customer || ':'"
        "  || a.event_id, 'UTF8')), 'hex'), 32)"
        " FROM unnest($1::text[], $2::text[]) AS u(t, c), customers k"
        " WHERE a.tenant = u.t AND a.customer = u.c AND k.tenant = u.t AND k.customer = u.c"
        " AND k.erased_at IS NULL",
        tenants,
        customers,
    )
    await conn.execute(  # the transaction ids point into the POS's personal data
        "DELETE FROM outliers o USING unnest($1::text[], $2::text[]) AS u(t, c)"
        " WHERE o.tenant = u.t AND o.customer = u.c",
        tenants,
        customers,
    )
    await conn.execute(
        "UPDATE customers k SET erased_at = now() FROM unnest($1::text[], $2::text[]) AS u(t, c)"
        " WHERE k.tenant = u.t AND k.customer = u.c AND k.erased_at IS NULL",
        tenants,
        customers,
    )


async def erased_customers(
    conn: asyncpg.Connection, pairs: Sequence[tuple[str, str]]
) -> set[tuple[str, str]]:
    """The (tenant, customer) pairs among `pairs` that were erased."""
    unique = sorted(set(pairs))
    if not unique:
        return set()
    rows = await conn.fetch(
        "SELECT k.tenant, k.customer FROM customers k JOIN unnest($1::text[], $2::text[])"
        " AS u(t, c) ON k.tenant = u.t AND k.customer = u.c WHERE k.erased_at IS NOT NULL",
        [t for t, _ in unique],
        [c for _, c in unique],
    )
    return {(r["tenant"], r["customer"]) for r in rows}


async def record_customers(conn: asyncpg.Connection, pairs: Sequence[tuple[str, str]]) -> None:
    unique = sorted(set(pairs))
    if not unique:
        return
    await conn.execute(
        "INSERT INTO customers (tenant, customer)"
        " SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING",
        [t for t, _ in unique],
        [c for _, c in unique],
    )


OF_CUSTOMERS = "tenant = (SELECT $1::text) AND customer = ANY($2::text[])"
"""Rows of some customers ($2) of a tenant ($1), in `activity` and `holdings`. The tenant is
hidden from the planner (see `_VISIBLE`): given a tenant newer than the table's statistics
(estimated at one row), it chose an index on the tenant alone and filtered the customers, so
every call read all of that tenant's rows until the next ANALYZE."""

_ACTIVITY_COLUMNS = "customer, event_id, type, time, ref, amount, points, arrival_date, currency"


async def _activity(
    conn: asyncpg.Connection, where: str, args: list[object], kinds: frozenset[str] | None
) -> dict[str, list[ActivityEvent]]:
    query = f"SELECT {_ACTIVITY_COLUMNS} FROM activity WHERE {where}"
    if kinds is not None:
        n = len(args)
        query += f" AND (type = ANY(${n + 1}::text[]) OR (${n + 2} AND type LIKE 'reservation.%'))"
        args = [*args, sorted(kinds - {ANY_RESERVATION}), ANY_RESERVATION in kinds]
    found: dict[str, list[ActivityEvent]] = {}
    for r in await conn.fetch(query, *args):
        event = ActivityEvent(r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])
        found.setdefault(r[0], []).append(event)
    return found


async def load_activity(
    conn: asyncpg.Connection, tenant: str, customers: Sequence[str]
) -> dict[str, list[ActivityEvent]]:
    """The customers' whole stored activity."""
    return await _activity(conn, OF_CUSTOMERS, [tenant, list(customers)], None)


async def activity_between(
    conn: asyncpg.Connection,
    tenant: str,
    first: str,
    last: str,
    kinds: frozenset[str] | None = None,
) -> dict[str, list[ActivityEvent]]:
    """The stored activity of the customers `first`..`last` (one range scan of the primary key,
    for a whole page of `customers_of`); `kinds` (`domain/relevance.types_read`): only events of
    these kinds (None: all)."""
    where = "tenant = $1 AND customer BETWEEN $2 AND $3"
    return await _activity(conn, where, [tenant, first, last], kinds)


# The tenant is compared through `(SELECT $1::text)`: a value the planner cannot see, so it
# estimates rows by the column's distinct count and takes the per-customer indexes. Given the
# value, a tenant newer than the table's statistics is estimated at one row, every index looks
# alike, and a batch's selection became a scan of the tenant per customer (> 30 s).
_VISIBLE = """
WITH c AS (SELECT DISTINCT unnest($2::text[]) AS customer),
anchors AS (
    SELECT a.customer, a.time FROM unnest($9::text[], $10::text[]) AS b(customer, ref)
    JOIN activity a ON a.tenant = (SELECT $1::text) AND a.customer = b.customer AND a.ref = b.ref
    AND a.type = ANY($11::text[])
),
refs AS (
    SELECT a.customer, a.ref FROM c JOIN activity a ON a.tenant = (SELECT $1::text) AND a.customer = c.customer
    AND a.type = 'reservation.booked' AND $3::date IS NOT NULL
    AND a.arrival_date BETWEEN $3::date AND $4::date
  UNION
    SELECT a.customer, a.ref FROM c CROSS JOIN unnest($5::text[], $6::timestamptz[]) AS w(type, since)
    JOIN activity a ON a.tenant = (SELECT $1::text) AND a.customer = c.customer AND a.type = w.type
    AND a.time BETWEEN w.since AND $7
  UNION
    SELECT a.customer, a.ref FROM anchors n
    JOIN activity a ON a.tenant = (SELECT $1::text) AND a.customer = n.customer
    AND a.type = ANY($11::text[]) AND a.time BETWEEN n.time - $8::interval AND n.time + $8::interval
)
SELECT 'k' AS part, a.customer, a.event_id, a.type, a.time, a.ref, a.amount, a.points,
       a.arrival_date
FROM refs r JOIN activity a ON a.tenant = (SELECT $1::text) AND a.customer = r.customer AND a.ref = r.ref
UNION ALL
SELECT 'f', c.customer, f.event_id, t.type, f.time, NULL, NULL, NULL, NULL
FROM c CROSS JOIN unnest($12::text[]) AS t(type) CROSS JOIN LATERAL (
    SELECT a.event_id, a.time FROM activity a
    WHERE a.tenant = (SELECT $1::text) AND a.customer = c.customer AND a.type = t.type
    ORDER BY a.time, a.event_id LIMIT 1
) f
UNION ALL
SELECT 'l', c.customer, NULL, t.type, l.time, NULL, NULL, NULL, NULL
FROM c CROSS JOIN unnest($13::text[]) AS t(type) CROSS JOIN LATERAL (
    SELECT a.time FROM activity a
    WHERE a.tenant = (SELECT $1::text) AND a.customer = c.customer AND a.type = t.type
    ORDER BY a.time DESC LIMIT 1
) l
"""


async def load_visible(
    conn: asyncpg.Connection,
    tenant: str,
    customers: Sequence[str],
    sight: Sight,
    anchors: Sequence[tuple[str, str]] = (),
) -> dict[str, tuple[CustomerFacts, list[ActivityEvent]]]:
    """Per customer, the facts a decision under `sight` reads and the events they were folded
    from (`domain/sight.visible` over its whole history, selected by index range scans);
    `anchors` are the (customer, ref) pairs of the batch's velocity events."""
    done = sight.done_since
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    rows = await conn.fetch(
        _VISIBLE,
        tenant,
        list(customers),
        sight.arrivals[0] if sight.arrivals else None,
        sight.arrivals[1] if sight.arrivals else None,
        [t for t, _ in done],
        [s for _, s in done],
        sight.now,
        timedelta(minutes=sight.velocity_minutes),
        [c for c, _ in anchors] if sight.velocity_minutes else [],
        [r for _, r in anchors] if sight.velocity_minutes else [],
        sorted(sight.velocity_types),
        sorted(sight.triggers),
        sorted(ACTIVITY_TYPES) if sight.last_activity else [],
    )
    kept: dict[str, list[ActivityEvent]] = {c: [] for c in customers}
    first: dict[str, dict[str, tuple[datetime, str]]] = {c: {} for c in customers}
    last: dict[str, datetime | None] = dict.fromkeys(customers)
    for r in rows:
        customer = r[1]
        if r[0] == "k":
            kept[customer].append(ActivityEvent(r[2], r[3], r[4], r[5], r[6], r[7], r[8]))
        elif r[0] == "f":
            first[customer][r[3]] = (r[4], r[2])
        else:
            seen = last[customer]
            last[customer] = r[4] if seen is None else max(seen, r[4])
    return {
        c: (with_edges(fold(kept[c]) if kept[c] else NO_FACTS, first[c], last[c]), kept[c])
        for c in customers
    }


async def customers_of(
    conn: asyncpg.Connection,
    tenant: str,
    after: str | None,
    limit: int,
    *,
    upto: str | None = None,
) -> list[str]:
    """One page of a tenant's customers in id order, after `after` (keyset pagination), up to
    `upto` (None: to the last)."""
    rows = await conn.fetch(
        "SELECT customer FROM customers WHERE tenant = $1 AND ($2::text IS NULL OR customer > $2)"
        " AND ($4::text IS NULL OR customer <= $4) ORDER BY customer LIMIT $3",
        tenant,
        after,
        limit,
        upto,
    )
    return [r["customer"] for r in rows]
