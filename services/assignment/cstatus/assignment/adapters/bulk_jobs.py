"""Bulk jobs and their items in PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.assignment.adapters.directory import DirectoryQuery, where

__all__ = ["BulkJob", "BulkJobs"]


@dataclass(frozen=True, slots=True)
class BulkJob:
    id: str
    tenant: str
    actor: str
    category_code: str
    status_code: str | None
    reason: str | None
    until: datetime | None


def job_json(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "id": row["id"],
        "state": row["state"],
        "category_code": row["category_code"],
        "status_code": row["status_code"],
        "total": row["total"],
        "processed": row["processed"],
        "applied": row["applied"],
        "rejected": row["rejected"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


class BulkJobs:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def create(self, conn: asyncpg.Connection, job: BulkJob) -> None:
        await conn.execute(
            f"INSERT INTO {self.schema}.bulk_jobs (id, tenant, actor, category_code, status_code,"
            " reason, until) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            job.id,
            job.tenant,
            job.actor,
            job.category_code,
            job.status_code,
            job.reason,
            job.until,
        )

    async def add_ids(self, conn: asyncpg.Connection, job_id: str, ids: Sequence[str]) -> int:
        await conn.execute(
            f"INSERT INTO {self.schema}.bulk_items (job_id, customer_id)"
            " SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
            job_id,
            list(ids),
        )
        return await self._set_total(conn, job_id)

    async def add_matching(
        self, conn: asyncpg.Connection, job_id: str, query: DirectoryQuery
    ) -> int:
        clause, args = where(query, self.schema, first_arg=2)
        await conn.execute(
            f"INSERT INTO {self.schema}.bulk_items (job_id, customer_id)"
            f" SELECT $1, c.customer_id FROM {self.schema}.customers c WHERE {clause}",
            job_id,
            *args,
        )
        return await self._set_total(conn, job_id)

    async def _set_total(self, conn: asyncpg.Connection, job_id: str) -> int:
        total: int = await conn.fetchval(
            f"UPDATE {self.schema}.bulk_jobs SET total ="
            f" (SELECT count(*) FROM {self.schema}.bulk_items WHERE job_id = $1)"
            " WHERE id = $1 RETURNING total",
            job_id,
        )
        return total

    async def get(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, job_id: str
    ) -> dict[str, Any] | None:
        row = await conn.fetchrow(
            f"SELECT * FROM {self.schema}.bulk_jobs WHERE tenant = $1 AND id = $2", tenant, job_id
        )
        if row is None:
            return None
        refusals = await conn.fetch(
            f"SELECT customer_id, code, message FROM {self.schema}.bulk_items"
            " WHERE job_id = $1 AND state = 'rejected' ORDER BY customer_id LIMIT 1000",
            job_id,
        )
        return {**job_json(row), "refusals": [dict(r) for r in refusals]}

    async def next_open(self, conn: asyncpg.Connection) -> BulkJob | None:
        row = await conn.fetchrow(
            f"SELECT * FROM {self.schema}.bulk_jobs WHERE state IN ('queued', 'running')"
            " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        if row is None:
            return None
        return BulkJob(
            id=row["id"],
            tenant=row["tenant"],
            actor=row["actor"],
            category_code=row["category_code"],
            status_code=row["status_code"],
            reason=row["reason"],
            until=row["until"],
        )

    async def pending(self, conn: asyncpg.Connection, job_id: str, limit: int) -> list[str]:
        rows = await conn.fetch(
            f"SELECT customer_id FROM {self.schema}.bulk_items WHERE job_id = $1"
            " AND state = 'pending' ORDER BY customer_id LIMIT $2",
            job_id,
            limit,
        )
        return [r["customer_id"] for r in rows]

    async def record(
        self,
        conn: asyncpg.Connection,
        job_id: str,
        results: Sequence[tuple[str, str, str | None, str | None]],
    ) -> None:
        """Store (customer, state, code, message) per item and add them to the job's counters."""
        await conn.execute(
            f"UPDATE {self.schema}.bulk_items i SET state = u.state, code = u.code,"
            " message = u.message FROM unnest($2::text[], $3::text[], $4::text[], $5::text[])"
            " AS u(customer_id, state, code, message)"
            " WHERE i.job_id = $1 AND i.customer_id = u.customer_id",
            job_id,
            [r[0] for r in results],
            [r[1] for r in results],
            [r[2] for r in results],
            [r[3] for r in results],
        )
        await conn.execute(
            f"UPDATE {self.schema}.bulk_jobs SET processed = processed + $2,"
            " applied = applied + $3, rejected = rejected + $4, updated_at = now(),"
            " state = CASE WHEN processed + $2 >= total THEN 'completed' ELSE 'running' END"
            " WHERE id = $1",
            job_id,
            len(results),
            sum(r[1] == "applied" for r in results),
            sum(r[1] == "rejected" for r in results),
        )

    async def complete_if_empty(self, conn: asyncpg.Connection, job_id: str) -> None:
        await conn.execute(
            f"UPDATE {self.schema}.bulk_jobs SET state = 'completed', updated_at = now()"
            " WHERE id = $1 AND processed >= total",
            job_id,
        )
