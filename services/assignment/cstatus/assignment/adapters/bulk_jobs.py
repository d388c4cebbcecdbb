"""Bulk jobs in PostgreSQL: the job and its counters, the chunks counted, the refusals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.assignment.adapters.directory import DirectoryQuery, where

__all__ = ["BulkJob", "BulkJobs", "Progress", "Refusal"]

PAGE = 5_000


@dataclass(frozen=True, slots=True)
class BulkJob:
    id: str
    tenant: str
    actor: str
    category_code: str
    status_code: str | None
    reason: str | None
    until: datetime | None


@dataclass(slots=True)
class Progress:
    """What one batch did for a job: customers processed, applied, refused, and waiting for a
    second person's approval (SPEC 1.8)."""

    processed: int = 0
    applied: int = 0
    rejected: int = 0
    pending: int = 0


@dataclass(frozen=True, slots=True)
class Refusal:
    job_id: str
    customer_id: str
    code: str
    message: str


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
        "pending": row["pending"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


class BulkJobs:
    def __init__(self, schema: str) -> None:
        self.schema = schema

    async def create(self, conn: asyncpg.Connection, job: BulkJob, total: int) -> None:
        """Record the job: `queued` until its first chunk is applied (`completed` when empty)."""
        await conn.execute(
            "INSERT INTO bulk_jobs (id, tenant, actor, category_code, status_code,"
            " reason, until, total, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            job.id,
            job.tenant,
            job.actor,
            job.category_code,
            job.status_code,
            job.reason,
            job.until,
            total,
            "queued" if total else "completed",
        )

    async def matching(
        self, conn: asyncpg.Connection, query: DirectoryQuery, limit: int
    ) -> list[str]:
        """The ids of the customers the query matches, in pages, at most `limit` of them.

        Run it in a repeatable-read transaction: every page then reads the same snapshot.
        """
        clause, args = where(query)
        found: list[str] = []
        last = ""
        while len(found) < limit:
            page = await conn.fetch(
                f"SELECT c.customer_id FROM customers c WHERE {clause}"
                f" AND c.customer_id > ${len(args) + 1} ORDER BY c.customer_id"
                f" LIMIT ${len(args) + 2}",
                *args,
                last,
                min(PAGE, limit - len(found)),
            )
            found += [r["customer_id"] for r in page]
            if len(page) < PAGE:
                break
            last = found[-1]
        return found

    async def get(
        self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str, job_id: str
    ) -> dict[str, Any] | None:
        row = await conn.fetchrow(
            "SELECT * FROM bulk_jobs WHERE tenant = $1 AND id = $2", tenant, job_id
        )
        if row is None:
            return None
        refusals = await conn.fetch(
            "SELECT customer_id, code, message FROM bulk_refusals"
            " WHERE job_id = $1 ORDER BY customer_id LIMIT 1000",
            job_id,
        )
        return {**job_json(row), "refusals": [dict(r) for r in refusals]}

    async def claim_chunks(
        self, conn: asyncpg.Connection, chunks: Sequence[tuple[str, str, int]]
    ) -> set[tuple[str, int]]:
        """Record (tenant, job id, chunk) as counted; return the (job, chunk) pairs that are new.

        A chunk of a job this schema does not hold (or of another tenant) is never new.
        """
        if not chunks:
            return set()
        rows = await conn.fetch(
            "INSERT INTO bulk_chunks (job_id, chunk)"
            " SELECT u.j, u.c FROM unnest($1::text[], $2::text[], $3::int[]) AS u(t, j, c)"
            " JOIN bulk_jobs b ON b.id = u.j AND b.tenant = u.t"
            " ON CONFLICT DO NOTHING RETURNING job_id, chunk",
            [t for t, _, _ in chunks],
            [j for _, j, _ in chunks],
            [c for _, _, c in chunks],
        )
        return {(r["job_id"], r["chunk"]) for r in rows}

    async def record(
        self,
        conn: asyncpg.Connection,
        progress: Mapping[str, Progress],
        refusals: Sequence[Refusal],
    ) -> None:
        """Add a batch's progress to its jobs' counters; a job is done when all are processed."""
        if refusals:
            await conn.execute(
                "INSERT INTO bulk_refusals (job_id, customer_id, code, message)"
                " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])"
                " ON CONFLICT DO NOTHING",
                [r.job_id for r in refusals],
                [r.customer_id for r in refusals],
                [r.code for r in refusals],
                [r.message for r in refusals],
            )
        if not progress:
            return
        jobs = sorted(progress)
        await conn.execute(
            "UPDATE bulk_jobs j SET processed = j.processed + u.p,"
            " applied = j.applied + u.a, rejected = j.rejected + u.r, pending = j.pending + u.w,"
            " updated_at = now(),"
            " state = CASE WHEN j.processed + u.p >= j.total THEN 'completed' ELSE 'running' END"
            " FROM unnest($1::text[], $2::int[], $3::int[], $4::int[], $5::int[])"
            " AS u(id, p, a, r, w) WHERE j.id = u.id",
            jobs,
            [progress[j].processed for j in jobs],
            [progress[j].applied for j in jobs],
            [progress[j].rejected for j in jobs],
            [progress[j].pending for j in jobs],
        )
