"""The queue of configuration refreshes (table `config_refresh`): one row per tenant whose
customers are not yet all refreshed to its newest configuration, with where the pass stands."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

__all__ = ["RefreshJob", "advance", "customers_after", "finish", "pending", "queue", "take"]


@dataclass(frozen=True, slots=True)
class RefreshJob:
    tenant: str
    version: int
    after_customer: str
    done: int


async def queue(conn: asyncpg.Connection, tenant: str, version: int) -> None:
    """Refresh every customer of `tenant` to `version` (from the start, if a pass was running)."""
    await conn.execute(
        "INSERT INTO config_refresh AS r (tenant, version) VALUES ($1, $2)"
        " ON CONFLICT (tenant) DO UPDATE SET version = EXCLUDED.version, after_customer = '',"
        " done = 0, created_at = now() WHERE r.version < EXCLUDED.version",
        tenant,
        version,
    )


async def take(conn: asyncpg.Connection, applies: Callable[[str], bool]) -> RefreshJob | None:
    """Lock the oldest queued job of a tenant this process serves (`applies`) that no other
    transaction holds."""
    queued = await conn.fetch("SELECT tenant FROM config_refresh ORDER BY created_at LIMIT 1000")
    for row in queued:  # another replica may be working the first one
        if not applies(row["tenant"]):
            continue
        job = await conn.fetchrow(
            "SELECT tenant, version, after_customer, done FROM config_refresh"
            " WHERE tenant = $1 FOR UPDATE SKIP LOCKED",
            row["tenant"],
        )
        if job is not None:
            return RefreshJob(job["tenant"], job["version"], job["after_customer"], job["done"])
    return None


async def customers_after(
    conn: asyncpg.Connection, tenant: str, after: str, limit: int
) -> list[str]:
    rows = await conn.fetch(
        "SELECT customer_id FROM customers WHERE tenant = $1 AND customer_id > $2"
        " ORDER BY customer_id LIMIT $3",
        tenant,
        after,
        limit,
    )
    return [r["customer_id"] for r in rows]


async def advance(conn: asyncpg.Connection, tenant: str, last: str, count: int) -> None:
    await conn.execute(
        "UPDATE config_refresh SET after_customer = $2, done = done + $3 WHERE tenant = $1",
        tenant,
        last,
        count,
    )


async def finish(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute("DELETE FROM config_refresh WHERE tenant = $1", tenant)


async def pending(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM config_refresh"))
