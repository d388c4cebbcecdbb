"""PostgreSQL views built from the platform's own topics: each tenant's configuration (highest
version), each customer's holdings (highest change sequence), the outstanding proposals and the
date of each tenant's last sweep."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg

from cstatus.rules_engine.adapters.activity_store import OF_CUSTOMERS
from cstatus.rules_engine.adapters.configuration import RULES, rules_from_document
from cstatus.rules_engine.domain.holdings import HoldingChange, after_changes
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.tenant import Held, TenantRules

__all__ = [
    "claim_proposals",
    "config_first_seen",
    "holdings_between",
    "last_sweep",
    "load_holdings",
    "load_rules",
    "record_changes",
    "record_sweep",
    "store_configs",
]


async def store_configs(
    conn: asyncpg.Connection, configs: Sequence[tuple[str, int, str]]
) -> list[str]:
    """Keep (tenant, version, JSON document) where the version is higher; the tenants updated."""
    latest: dict[str, tuple[int, str]] = {}
    for tenant, version, document in configs:
        if tenant not in latest or version > latest[tenant][0]:
            latest[tenant] = (version, document)
    if not latest:
        return []
    rows = await conn.fetch(
        "INSERT INTO configs (tenant, version, document)"
        " SELECT t, v, d::jsonb FROM unnest($1::text[], $2::int[], $3::text[]) AS u(t, v, d)"
        " ON CONFLICT (tenant) DO UPDATE"
        " SET version = excluded.version, document = excluded.document, updated_at = now()"
        " WHERE configs.version < excluded.version RETURNING tenant",
        list(latest),
        [v for v, _ in latest.values()],
        [d for _, d in latest.values()],
    )
    return sorted(r["tenant"] for r in rows)


async def load_rules(conn: asyncpg.Connection, tenants: Iterable[str]) -> dict[str, TenantRules]:
    """The current rules of each configured tenant among `tenants`: the versions are read, and
    a document only for a version not in the process's cache (`RULES`)."""
    rows = await conn.fetch(
        "SELECT current_schema() AS schema, tenant, version FROM configs"
        " WHERE tenant = ANY($1::text[])",
        sorted(set(tenants)),
    )
    found: dict[str, TenantRules] = {}
    for r in rows:
        cached = RULES.get(f"{r['schema']}.{r['tenant']}", r["version"])
        if cached is not None:
            found[r["tenant"]] = cached
    missing = [r["tenant"] for r in rows if r["tenant"] not in found]
    if missing:
        documents = await conn.fetch(
            "SELECT tenant, version, document::text AS document FROM configs"
            " WHERE tenant = ANY($1::text[])",
            missing,
        )
        schema = rows[0]["schema"]
        for r in documents:
            rules = rules_from_document(r["version"], r["document"])
            RULES.put(f"{schema}.{r['tenant']}", r["version"], rules)
            found[r["tenant"]] = rules
    return found


async def config_first_seen(conn: asyncpg.Connection, tenant: str) -> datetime | None:
    found: datetime | None = await conn.fetchval(
        "SELECT first_seen FROM configs WHERE tenant = $1", tenant
    )
    return found


async def record_changes(conn: asyncpg.Connection, changes: Sequence[HoldingChange]) -> None:
    """Apply the changes to the holdings (`domain/holdings.after_changes`: the highest sequence per
    (tenant, customer, category) wins); a kept change also ends the outstanding proposal of its
    category."""
    every: dict[tuple[str, str, str], list[HoldingChange]] = {}
    for change in changes:
        every.setdefault((change.tenant, change.customer, change.category), []).append(change)
    if not every:
        return
    keys = sorted(every)
    previous = await conn.fetch(
        "SELECT h.tenant, h.customer, h.category, h.status_code, h.system_state, h.pinned,"
        " h.pinned_until, h.sequence, h.entered_by"
        " FROM holdings h JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(t, c, k)"
        " ON h.tenant = u.t AND h.customer = u.c AND h.category = u.k FOR UPDATE OF h",
        [t for t, _, _ in keys],
        [c for _, c, _ in keys],
        [k for _, _, k in keys],
    )
    before = {(r[0], r[1], r[2]): _held_of(tuple(r)[3:]) for r in previous}
    kept: list[tuple[tuple[str, str, str], Held]] = []
    for key in keys:
        after = after_changes(before.get(key), every[key])
        if after is not None:
            kept.append((key, after))
    if not kept:
        return
    columns = (
        [t for (t, _, _), _ in kept],
        [c for (_, c, _), _ in kept],
        [k for (_, _, k), _ in kept],
    )
    await conn.execute(
        "INSERT INTO holdings (tenant, customer, category, status_code, system_state, pinned,"
        " pinned_until, sequence, entered_by) SELECT * FROM unnest($1::text[], $2::text[],"
        " $3::text[], $4::text[], $5::text[], $6::boolean[], $7::timestamptz[], $8::bigint[],"
        " $9::text[])"
        " ON CONFLICT (tenant, customer, category) DO UPDATE SET"
        " status_code = excluded.status_code, system_state = excluded.system_state,"
        " pinned = excluded.pinned, pinned_until = excluded.pinned_until,"
        " sequence = excluded.sequence, entered_by = excluded.entered_by",
        *columns,
        [h.current.status_code for _, h in kept],
        [h.system_state for _, h in kept],
        [h.current.pinned for _, h in kept],
        [h.current.pinned_until for _, h in kept],
        [h.sequence for _, h in kept],
        [h.current.entered_by for _, h in kept],
    )
    await conn.execute(
        "DELETE FROM outstanding o USING unnest($1::text[], $2::text[], $3::text[]) AS u(t, c, k)"
        " WHERE o.tenant = u.t AND o.customer = u.c AND o.category = u.k",
        *columns,
    )


async def load_holdings(
    conn: asyncpg.Connection,
    tenant: str,
    customers: Sequence[str],
    *,
    marking: tuple[Iterable[str], Iterable[tuple[str, str]]] | None = None,
) -> dict[str, dict[str, Held]]:
    """customer -> category code -> what the customer holds there. `marking` = (system states,
    (category, status) pairs): only the holdings of those (the rare ones that make transactions
    outliers), so the common answer is no row at all."""
    query = (
        "SELECT customer, category, status_code, system_state, pinned, pinned_until, sequence,"
        f" entered_by FROM holdings WHERE {OF_CUSTOMERS}"
    )
    args: list[object] = [tenant, list(customers)]
    if marking is not None:
        states, pairs = marking[0], list(marking[1])
        query += (
            " AND (system_state = ANY($3::text[]) OR (category, status_code) IN"
            " (SELECT * FROM unnest($4::text[], $5::text[])))"
        )
        args += [sorted(states), [c for c, _ in pairs], [s for _, s in pairs]]
    return _held(await conn.fetch(query, *args))


def _held_of(r: Sequence[Any]) -> Held:
    """(status_code, system_state, pinned, pinned_until, sequence, entered_by) as a Held."""
    status, state, pinned, until, sequence, entered = r
    return Held(Current(status, pinned, until, entered), sequence, state)


def _held(rows: Sequence[asyncpg.Record]) -> dict[str, dict[str, Held]]:
    found: dict[str, dict[str, Held]] = {}
    for r in rows:
        found.setdefault(r[0], {})[r[1]] = _held_of(tuple(r)[2:])
    return found


async def holdings_between(
    conn: asyncpg.Connection, tenant: str, first: str, last: str
) -> dict[str, dict[str, Held]]:
    """What the customers `first`..`last` hold (one range scan, for a page of customers)."""
    rows = await conn.fetch(
        "SELECT customer, category, status_code, system_state, pinned, pinned_until, sequence,"
        " entered_by FROM holdings WHERE tenant = $1 AND customer BETWEEN $2 AND $3",
        tenant,
        first,
        last,
    )
    return _held(rows)


async def claim_proposals(
    conn: asyncpg.Connection,
    tenant: str,
    targets: Sequence[tuple[str, str, str | None]],
    now: datetime,
) -> set[tuple[str, str]]:
    """Record (customer, category, target) as outstanding; return the (customer, category) pairs
    whose target differs from the one already outstanding (those are worth proposing). The row
    lock makes two replicas evaluating one customer at once propose once."""
    if not targets:
        return set()
    rows = await conn.fetch(
        "INSERT INTO outstanding (tenant, customer, category, status_code, proposed_at)"
        " SELECT $1, c, k, s, $5 FROM unnest($2::text[], $3::text[], $4::text[]) AS u(c, k, s)"
        " ON CONFLICT (tenant, customer, category) DO UPDATE"
        " SET status_code = excluded.status_code, proposed_at = excluded.proposed_at"
        " WHERE outstanding.status_code IS DISTINCT FROM excluded.status_code"
        " RETURNING customer, category",
        tenant,
        [c for c, _, _ in targets],
        [k for _, k, _ in targets],
        [s for _, _, s in targets],
        now,
    )
    return {(r["customer"], r["category"]) for r in rows}


async def last_sweep(conn: asyncpg.Connection, tenant: str) -> date | None:
    found: date | None = await conn.fetchval(
        "SELECT last_as_of FROM sweeps WHERE tenant = $1", tenant
    )
    return found


async def swept_ahead(
    conn: asyncpg.Connection, tenants: Sequence[str], now: datetime
) -> dict[str, datetime]:
    """Tenants swept as of a day after `now`, with the start of that day: their real-time
    decisions are made as of it too, so a sweep of a later day is not undone by the next event."""
    if not tenants:
        return {}
    rows = await conn.fetch(
        "SELECT tenant, last_as_of FROM sweeps WHERE tenant = ANY($1::text[]) AND last_as_of > $2",
        sorted(tenants),
        now.date(),
    )
    return {r["tenant"]: datetime.combine(r["last_as_of"], time.min, UTC) for r in rows}


async def record_sweep(conn: asyncpg.Connection, tenant: str, as_of: date) -> None:
    await conn.execute(
        "INSERT INTO sweeps (tenant, last_as_of) VALUES ($1, $2) ON CONFLICT (tenant) DO UPDATE"
        " SET last_as_of = greatest(sweeps.last_as_of, excluded.last_as_of), swept_at = now()",
        tenant,
        as_of,
    )
