"""PostgreSQL: re-evaluation jobs, one per (tenant, category), worked a page at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

__all__ = ["Job", "advance", "claim_next", "count_customers", "pending_customers", "record_jobs"]


@dataclass(frozen=True, slots=True)
class Job:
    tenant: str
    category: str
    version: int
    cursor: str | None
    total: int | None
    done: int


async def record_jobs(
    conn: asyncpg.Connection, tenant: str, version: int, categories: Sequence[str]
) -> None:
    """Start (or restart, for a newer version) the job of each category."""
    if not categories:
        return
    await conn.execute(
        "INSERT INTO reevaluations (tenant, category, version)"
        " SELECT $1, k, $2 FROM unnest($3::text[]) AS k"
        " ON CONFLICT (tenant, category) DO UPDATE SET version = excluded.version,"
        " cursor = NULL, total = NULL, done = 0, proposed = 0, created_at = now(),"
        " updated_at = now(), finished_at = NULL"
        " WHERE reevaluations.version < excluded.version",
        tenant,
        version,
        list(categories),
    )


async def claim_next(conn: asyncpg.Connection) -> Job | None:
    """The pending job worked on least recently, locked for this transaction (another replica
    skips it)."""
    row = await conn.fetchrow(
        "SELECT tenant, category, version, cursor, total, done FROM reevaluations"
        " WHERE finished_at IS NULL ORDER BY updated_at LIMIT 1 FOR UPDATE SKIP LOCKED"
    )
    if row is None:
        return None
    return Job(
        row["tenant"], row["category"], row["version"], row["cursor"], row["total"], row["done"]
    )


async def count_customers(conn: asyncpg.Connection, tenant: str) -> int:
    found: int = await conn.fetchval("SELECT count(*) FROM customers WHERE tenant = $1", tenant)
    return found


async def advance(
    conn: asyncpg.Connection,
    job: Job,
    *,
    cursor: str | None,
    total: int,
    done: int,
    proposed: int,
    finished: bool,
) -> None:
    await conn.execute(
        "UPDATE reevaluations SET cursor = $3, total = $4, done = $5,"
        " proposed = proposed + $6, updated_at = now(),"
        " finished_at = CASE WHEN $7 THEN now() END"
        " WHERE tenant = $1 AND category = $2",
        job.tenant,
        job.category,
        cursor,
        total,
        done,
        proposed,
        finished,
    )


async def pending_customers(pool: asyncpg.Pool) -> int:
    """Customers still to re-evaluate over all pending jobs (a job not started counts its
    tenant's customers)."""
    found: int = await pool.fetchval(
        "SELECT coalesce(sum(greatest(coalesce(j.total,"
        " (SELECT count(*) FROM customers c WHERE c.tenant = j.tenant)) - j.done, 0)), 0)"
        " FROM reevaluations j WHERE j.finished_at IS NULL"
    )
    return int(found)
