"""A bulk job's customers travel in chunks of at most 500 on the internal bulk topic."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cstatus.assignment.adapters.bulk_jobs import BulkJob
from cstatus.assignment.service.bulk import chunk_messages
from cstatus.contracts import topics
from cstatus.contracts.bulk import BulkChunk
from cstatus.contracts.registry import decode_input

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def test_customers_are_split_into_chunks_keyed_by_tenant_and_job() -> None:
    job = BulkJob("job-7", "acme", "agent-1", "relationship", "vip", "partner", None)
    customers = [f"c-{n}" for n in range(1_201)]

    messages = chunk_messages(job, customers, NOW)

    decoded = [decode_input(topics.BULK, m.value) for m in messages]
    assert {m.topic for m in messages} == {topics.BULK}
    assert {m.key for m in messages} == {b"acme:job-7"}
    assert [e.id for e in decoded] == ["bulk/job-7/0", "bulk/job-7/1", "bulk/job-7/2"]
    chunks = [e.data for e in decoded]
    assert all(isinstance(c, BulkChunk) for c in chunks)
    assert [(c.chunk, len(c.customer_ids)) for c in chunks] == [(0, 500), (1, 500), (2, 201)]
    assert [i for c in chunks for i in c.customer_ids] == customers
    assert {(c.category_code, c.status_code, c.reason, c.actor) for c in chunks} == {
        ("relationship", "vip", "partner", "agent-1")
    }


def test_an_empty_job_has_no_chunks() -> None:
    job = BulkJob("job-8", "acme", "agent-1", "relationship", None, None, None)

    assert chunk_messages(job, [], NOW) == []
