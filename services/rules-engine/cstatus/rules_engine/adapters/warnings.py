"""The `downgrade_warnings` table: which warnings ahead of a move down were published."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import asyncpg

__all__ = ["claim_warnings", "forget_warnings_before"]


async def claim_warnings(
    conn: asyncpg.Connection,
    tenant: str,
    due: Sequence[tuple[str, str, date]],
    now: datetime,
) -> set[tuple[str, str, date]]:
    """Record (customer, category, day) as warned; return those not warned before (the ones to
    publish). Inside the caller's transaction, with the outbox rows of the warnings."""
    if not due:
        return set()
    rows = await conn.fetch(
        "INSERT INTO downgrade_warnings (tenant, customer, category, due, warned_at)"
        " SELECT $1, c, k, d, $5 FROM unnest($2::text[], $3::text[], $4::date[]) AS w(c, k, d)"
        " ON CONFLICT DO NOTHING RETURNING customer, category, due",
        tenant,
        [c for c, _, _ in due],
        [k for _, k, _ in due],
        [d for _, _, d in due],
        now,
    )
    return {(r["customer"], r["category"], r["due"]) for r in rows}


async def forget_warnings_before(conn: asyncpg.Connection, tenant: str, day: date) -> None:
    """Retention: warnings of days up to `day` have served their purpose."""
    await conn.execute(
        "DELETE FROM downgrade_warnings WHERE tenant = $1 AND due <= $2", tenant, day
    )
