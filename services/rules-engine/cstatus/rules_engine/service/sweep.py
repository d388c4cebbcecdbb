"""The daily sweep: windows expire with time, not only with events (SPEC §1 automatic).

A tenant's sweep as of a day re-evaluates only the customers whose windows may have changed
since its last sweep (candidates computed in SQL over the activity table), in pages of their own
transactions, then records the day. Without an earlier sweep it starts from the day before the
tenant's configuration first arrived (real-time decisions covered what came before). A session
advisory lock per tenant lets one replica sweep a tenant at a time; a crash mid-way leaves the
last day unchanged, so the next sweep redoes the pages (outstanding proposals are not repeated).
After the moves due, it publishes the warnings of the moves down falling due `warn_days` later
(`service/warn.py`; SPEC 1.7), each once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

from cstatus.rules_engine.adapters.sweep_candidates import sweep_candidates
from cstatus.rules_engine.adapters.views import (
    config_first_seen,
    last_sweep,
    load_rules,
    record_sweep,
)
from cstatus.rules_engine.service.decide import decide
from cstatus.rules_engine.service.unit_of_work import DecisionStores
from cstatus.rules_engine.service.warn import warn_of_downgrades

__all__ = ["SweepBusy", "SweepResult", "sweep_instant", "sweep_tenant", "tenants_to_sweep"]

PAGE = 500
"""Candidates evaluated per transaction."""


class SweepBusy(Exception):
    """Another replica is sweeping this tenant right now."""


@dataclass(frozen=True, slots=True)
class SweepResult:
    tenant: str
    since: date | None
    as_of: date
    candidates: int
    proposed: int
    warned: int = 0
    """Warnings ahead of a move down published (SPEC 1.7 `warn_days`)."""


def sweep_instant(as_of: date, now: datetime) -> datetime:
    """The moment a sweep evaluates at: now for today (or a past day), the start of a later day."""
    return max(now, datetime.combine(as_of, time.min, UTC))


def _lock_key(schema: str, tenant: str) -> int:
    digest = hashlib.sha256(f"sweep:{schema}:{tenant}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def tenants_to_sweep(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT tenant FROM configs ORDER BY tenant")
    return [r["tenant"] for r in rows]


async def sweep_tenant(
    pool: asyncpg.Pool,
    schema: str,
    tenant: str,
    as_of: date,
    clock: Callable[[], datetime],
    stores: DecisionStores,
) -> SweepResult:
    async with pool.acquire() as conn:
        key = _lock_key(schema, tenant)
        if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", key):
            raise SweepBusy(tenant)
        try:
            return await _sweep(conn, stores, tenant, as_of, clock)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", key)


async def _sweep(
    conn: asyncpg.Connection,
    stores: DecisionStores,
    tenant: str,
    as_of: date,
    clock: Callable[[], datetime],
) -> SweepResult:
    rules = (await load_rules(conn, [tenant])).get(tenant)
    first_seen = await config_first_seen(conn, tenant)
    if rules is None or first_seen is None:
        return SweepResult(tenant, None, as_of, 0, 0)
    since = await last_sweep(conn, tenant) or first_seen.date() - timedelta(days=1)
    if as_of <= since:
        return SweepResult(tenant, since, as_of, 0, 0)
    candidates = await sweep_candidates(conn, tenant, rules, since, as_of)
    now = sweep_instant(as_of, clock())
    proposed = 0
    for start in range(0, len(candidates), PAGE):
        async with conn.transaction():
            page = candidates[start : start + PAGE]
            proposed += await decide(stores(conn), tenant, rules, page, now)
    warned = await warn_of_downgrades(conn, stores, tenant, rules, since, as_of, now)
    await record_sweep(conn, tenant, as_of)
    return SweepResult(tenant, since, as_of, len(candidates), proposed, warned)
