"""Bulk status changes through Kafka: a job of up to 100,000 customers, applied in chunks.

`start_job` records the job and, in the same transaction, puts its customers (given, or those a
filter matches at that moment) into chunks of at most 500 on `customer-status.bulk.v1` through
the outbox. The service consumes its own chunks (`apply_chunks`): in one transaction per batch,
each customer's change is judged like a manual change, refusals are kept on the job, and the job's
counters grow — a chunk counts once, however often it is delivered.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg

from cstatus.assignment.adapters.bulk_jobs import BulkJob, BulkJobs, Progress, Refusal
from cstatus.assignment.adapters.directory import DirectoryQuery
from cstatus.assignment.domain.decisions import Applied, Pending, Refused
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service.assignments import AfterCommit, Assignments
from cstatus.assignment.service.publish import SOURCE
from cstatus.contracts import topics
from cstatus.contracts.bulk import BULK_CHUNK_SIZE, BulkChunk
from cstatus.contracts.envelope import CloudEvent, encode, message_key, new_event
from cstatus.platform.db.outbox import OutboxMessage, enqueue

__all__ = [
    "MAX_CUSTOMERS",
    "TooMany",
    "apply_chunks",
    "chunk_messages",
    "new_job_id",
    "start_job",
]

MAX_CUSTOMERS = 100_000


class TooMany(Exception):
    pass


def new_job_id() -> str:
    return uuid.uuid4().hex


def chunk_messages(job: BulkJob, customers: Sequence[str], now: datetime) -> list[OutboxMessage]:
    """The job's customers in chunks of at most 500, keyed `{tenant}:{job id}`."""
    messages = []
    for chunk, start in enumerate(range(0, len(customers), BULK_CHUNK_SIZE)):
        data = BulkChunk(
            job_id=job.id,
            chunk=chunk,
            category_code=job.category_code,
            status_code=job.status_code,
            reason=job.reason,
            until=job.until,
            actor=job.actor,
            customer_ids=tuple(customers[start : start + BULK_CHUNK_SIZE]),
        )
        event = new_event(
            data,
            id=f"bulk/{job.id}/{chunk}",
            source=SOURCE,
            tenant=job.tenant,
            subject=job.id,
            time=now,
        )
        messages.append(OutboxMessage(topics.BULK, message_key(job.tenant, job.id), encode(event)))
    return messages


async def start_job(
    jobs: BulkJobs,
    conn: asyncpg.Connection,
    job: BulkJob,
    now: datetime,
    *,
    ids: Sequence[str] | None,
    query: DirectoryQuery | None,
) -> int:
    """Record the job and enqueue its chunks in the caller's transaction; TooMany above the limit.

    For a filter, run the caller's transaction as repeatable read: the pages of customer ids are
    then one snapshot of the directory.
    """
    if ids is not None:
        customers = list(dict.fromkeys(ids))
    else:
        assert query is not None
        customers = await jobs.matching(conn, query, MAX_CUSTOMERS + 1)
    if len(customers) > MAX_CUSTOMERS:
        raise TooMany(
            f"more than {MAX_CUSTOMERS} customers match; a bulk change takes at most that"
        )
    await jobs.create(conn, job, len(customers))
    await enqueue(conn, jobs.schema, chunk_messages(job, customers, now))
    return len(customers)


def _request(data: BulkChunk, customer: str) -> ChangeRequest:
    return ChangeRequest(
        ref_id=f"bulk/{data.job_id}/{customer}",
        category_code=data.category_code,
        status_code=data.status_code,
        source="manual",
        actor=data.actor,
        reason=data.reason,
        until=data.until,
    )


async def apply_chunks(
    service: Assignments,
    jobs: BulkJobs,
    conn: asyncpg.Connection,
    events: Sequence[CloudEvent[Any]],
    now: datetime,
    after: AfterCommit,
) -> None:
    """Apply the chunks not counted before, in one batch on the caller's transaction."""
    chunks = [(e.tenant, e.data) for e in events if isinstance(e.data, BulkChunk)]
    new = await jobs.claim_chunks(conn, [(t, d.job_id, d.chunk) for t, d in chunks])
    chunks = [(t, d) for t, d in chunks if (d.job_id, d.chunk) in new]
    if not chunks:
        return
    batch = await service.begin(
        conn,
        [(t, c) for t, d in chunks for c in d.customer_ids],
        now,
        after,
        refs=[(t, _request(d, c).ref_id) for t, d in chunks for c in d.customer_ids],
    )
    progress: dict[str, Progress] = {}
    refusals: list[Refusal] = []
    for tenant, data in chunks:
        done = progress.setdefault(data.job_id, Progress())
        for customer in data.customer_ids:
            request = _request(data, customer)
            decision = await batch.change(tenant, customer, request, publish_rejection=False)
            done.processed += 1
            if isinstance(decision, Refused):
                done.rejected += 1
                refusals.append(Refusal(data.job_id, customer, decision.code, decision.message))
            elif isinstance(decision, Applied):
                done.applied += 1
            elif isinstance(decision, Pending):
                done.pending += 1
    await batch.commit()
    await jobs.record(conn, progress, refusals)
