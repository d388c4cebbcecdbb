"""Bulk status changes: a job of up to 100,000 customers, worked in chunks by a task.

Each chunk is one transaction: every customer's change is judged by the same guards as a manual
change (with its own savepoint, so one failure refuses that customer only), and the job's
progress is updated with the chunk. A restarted service picks up the pending items where it left.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime

import asyncpg

from cstatus.assignment.adapters.bulk_jobs import BulkJob, BulkJobs
from cstatus.assignment.adapters.directory import DirectoryQuery
from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.domain.guards import Applied, Refused
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service.assignments import AfterCommit, Assignments

__all__ = ["MAX_CUSTOMERS", "TooMany", "run_bulk_worker", "start_job", "work_chunk"]

MAX_CUSTOMERS = 100_000
CHUNK = 250
log = logging.getLogger(__name__)


class TooMany(Exception):
    pass


async def start_job(
    jobs: BulkJobs,
    conn: asyncpg.Connection,
    job: BulkJob,
    *,
    ids: list[str] | None,
    query: DirectoryQuery | None,
) -> int:
    """Create the job and its items in the caller's transaction; raise TooMany above the limit."""
    await jobs.create(conn, job)
    if ids is not None:
        total = await jobs.add_ids(conn, job.id, ids)
    else:
        assert query is not None
        total = await jobs.add_matching(conn, job.id, query)
    if total > MAX_CUSTOMERS:
        raise TooMany(f"{total} customers match; a bulk change takes at most {MAX_CUSTOMERS}")
    await jobs.complete_if_empty(conn, job.id)
    return total


def new_job_id() -> str:
    return uuid.uuid4().hex


async def work_chunk(
    service: Assignments, jobs: BulkJobs, pool: asyncpg.Pool, cache: RestrictionsCache
) -> int:
    """Work one chunk of the oldest open job; return how many customers it processed."""
    after = AfterCommit()
    async with pool.acquire() as conn, conn.transaction():
        job = await jobs.next_open(conn)
        if job is None:
            return 0
        customers = await jobs.pending(conn, job.id, CHUNK)
        now = datetime.now(UTC)
        results: list[tuple[str, str, str | None, str | None]] = []
        for customer in customers:
            request = ChangeRequest(
                ref_id=f"bulk/{job.id}/{customer}",
                category_code=job.category_code,
                status_code=job.status_code,
                source="manual",
                actor=job.actor,
                reason=job.reason,
                until=job.until,
            )
            try:
                async with conn.transaction():
                    decision = await service.change(
                        conn, job.tenant, customer, request, now, after, publish_rejection=False
                    )
            except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
                raise
            except Exception as error:
                log.exception("bulk change of %s in job %s failed", customer, job.id)
                results.append((customer, "rejected", "error", str(error)[:1000]))
                continue
            if isinstance(decision, Refused):
                results.append((customer, "rejected", decision.code, decision.message))
            else:
                state = "applied" if isinstance(decision, Applied) else "unchanged"
                results.append((customer, state, None, None))
        await jobs.record(conn, job.id, results)
    await after.flush(cache)
    return len(results)


async def run_bulk_worker(
    service: Assignments, jobs: BulkJobs, pool: asyncpg.Pool, cache: RestrictionsCache
) -> None:
    """Until cancelled: work chunks while there are any, else look again shortly."""
    while True:
        try:
            worked = await work_chunk(service, jobs, pool, cache)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("bulk worker interrupted: %r", error)
            worked = 0
        if not worked:
            await asyncio.sleep(0.2)
