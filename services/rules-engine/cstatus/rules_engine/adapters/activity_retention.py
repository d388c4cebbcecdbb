"""Pruning activity no rule can see any more (`domain/retention.py` says why it is safe)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from cstatus.rules_engine.adapters.activity_store import OF_CUSTOMERS
from cstatus.rules_engine.domain.facts import FIRST_ACTIVITY_TRIGGERS
from cstatus.rules_engine.domain.sight import ACTIVITY_TYPES

__all__ = ["customers_after", "prune_activity", "release_round", "take_round"]

_ROUND_LOCK = 0x61637469_76697479  # "activity": one retention round at a time per database


async def take_round(conn: asyncpg.Connection) -> bool:
    """Take the retention round's session lock on `conn`, if no other replica holds it."""
    return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _ROUND_LOCK))


async def release_round(conn: asyncpg.Connection) -> None:
    await conn.execute("SELECT pg_advisory_unlock($1)", _ROUND_LOCK)


_PRUNE = f"""
WITH mine AS (
    SELECT customer, ref, type, time, event_id, arrival_date FROM activity
    WHERE {OF_CUSTOMERS}
), kept AS (
    (SELECT DISTINCT ON (customer, type) customer, ref FROM mine
     WHERE type = ANY($4::text[]) ORDER BY customer, type, time, event_id)
    UNION
    (SELECT DISTINCT ON (customer) customer, ref FROM mine
     WHERE type = ANY($5::text[]) ORDER BY customer, time DESC, event_id DESC)
), old AS (
    SELECT customer, ref FROM mine GROUP BY customer, ref
    HAVING max(greatest(time, coalesce((arrival_date + 1)::timestamp AT TIME ZONE 'UTC', time)))
        < $3
)
DELETE FROM activity a USING old o
WHERE a.tenant = $1 AND a.customer = o.customer AND a.ref = o.ref
  AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.customer = o.customer AND k.ref = o.ref)
"""


async def prune_activity(
    conn: asyncpg.Connection, tenant: str, customers: Sequence[str], before: datetime
) -> int:
    """Delete the activity of `customers` whose business ids have every event (a booking by
    its arrival day) before `before`, except the ids holding each customer's earliest event of
    a first-activity trigger or its latest activity. Returns the rows deleted."""
    status = await conn.execute(
        _PRUNE,
        tenant,
        list(customers),
        before,
        sorted(FIRST_ACTIVITY_TRIGGERS),
        sorted(ACTIVITY_TYPES),
    )
    return int(status.split()[-1])


async def customers_after(
    conn: asyncpg.Connection, tenant: str, after: str, limit: int
) -> list[str]:
    """The tenant's next `limit` customers after `after`, in order (a page of the pruning)."""
    rows = await conn.fetch(
        "SELECT customer FROM customers WHERE tenant = $1 AND customer > $2"
        " ORDER BY customer LIMIT $3",
        tenant,
        after,
        limit,
    )
    return [r["customer"] for r in rows]
