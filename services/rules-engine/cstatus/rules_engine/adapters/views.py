"""PostgreSQL views built from the platform's own topics: each tenant's configuration (highest
version), each customer's holdings (highest change sequence), the outstanding proposals and the
date of each tenant's last sweep."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import asyncpg

from cstatus.rules_engine.adapters.configuration import RULES, rules_from_document
from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.tenant import Held, TenantRules

__all__ = [
    "ChangeRow",
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


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """A change as the view keeps it; `pin` is True (pins), False (unpins) or None (keeps)."""

    tenant: str
    customer: str
    category: str
    status_code: str | None
    system_state: str | None
    pin: bool | None
    pinned_until: datetime | None
    sequence: int
    entered_by: str | None = None
    """The rule of an automatic change (None for any other source)."""


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


async def record_changes(conn: asyncpg.Connection, changes: Sequence[ChangeRow]) -> None:
    """Keep the change with the highest sequence per (tenant, customer, category); a kept change
    also ends the outstanding proposal of its category."""
    latest: dict[tuple[str, str, str], ChangeRow] = {}
    every: dict[tuple[str, str, str], list[ChangeRow]] = {}
    for change in changes:
        key = (change.tenant, change.customer, change.category)
        every.setdefault(key, []).append(change)
        if key not in latest or change.sequence > latest[key].sequence:
            latest[key] = change
    if not latest:
        return
    keys = sorted(latest)
    previous = await conn.fetch(
        "SELECT h.tenant, h.customer, h.category, h.pinned, h.pinned_until, h.sequence,"
        " h.status_code, h.entered_by"
        " FROM holdings h JOIN unnest($1::text[], $2::text[], $3::text[]) AS u(t, c, k)"
        " ON h.tenant = u.t AND h.customer = u.c AND h.category = u.k FOR UPDATE OF h",
        [t for t, _, _ in keys],
        [c for _, c, _ in keys],
        [k for _, _, k in keys],
    )
    before = {(r["tenant"], r["customer"], r["category"]): r for r in previous}
    kept: list[ChangeRow] = []
    pins: list[tuple[bool, datetime | None]] = []
    entered: list[str | None] = []
    for key in keys:
        change, old = latest[key], before.get(key)
        if old is not None and old["sequence"] >= change.sequence:
            continue
        entered.append(_entered_by(old, every[key]))
        if change.pin is None:
            pins.append((old["pinned"], old["pinned_until"]) if old else (False, None))
        else:
            pins.append((change.pin, change.pinned_until if change.pin else None))
        kept.append(change)
    if not kept:
        return
    columns = (
        [c.tenant for c in kept],
        [c.customer for c in kept],
        [c.category for c in kept],
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
        [c.status_code for c in kept],
        [c.system_state for c in kept],
        [p for p, _ in pins],
        [u for _, u in pins],
        [c.sequence for c in kept],
        entered,
    )
    await conn.execute(
        "DELETE FROM outstanding o USING unnest($1::text[], $2::text[], $3::text[]) AS u(t, c, k)"
        " WHERE o.tenant = u.t AND o.customer = u.c AND o.category = u.k",
        *columns,
    )


def _entered_by(old: asyncpg.Record | None, changes: Sequence[ChangeRow]) -> str | None:
    """How the customer entered the status the last of `changes` leaves them in: the rule of the
    automatic change that moved them there; a change that keeps the status keeps it."""
    status = old["status_code"] if old is not None else None
    entered = old["entered_by"] if old is not None else None
    for change in sorted(changes, key=lambda c: c.sequence):
        if old is not None and change.sequence <= old["sequence"]:
            continue
        if change.status_code != status:
            status, entered = change.status_code, change.entered_by
    return entered


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
        " entered_by FROM holdings WHERE tenant = $1 AND customer = ANY($2::text[])"
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


def _held(rows: Sequence[asyncpg.Record]) -> dict[str, dict[str, Held]]:
    found: dict[str, dict[str, Held]] = {}
    for r in rows:
        held = Held(Current(r[2], r[4], r[5], r[7]), r[6], r[3])
        found.setdefault(r[0], {})[r[1]] = held
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
