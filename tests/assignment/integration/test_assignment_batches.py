"""Set-wise batches: many events of one customer in one batch, and bulk chunks counted once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from cstatus.assignment.adapters.bulk_jobs import BulkJob
from cstatus.assignment.entrypoints.kafka import BULK_CONSUMER
from cstatus.assignment.service.bulk import chunk_messages
from cstatus.contracts import topics
from cstatus.contracts.customers import CustomerCreated, CustomerUpdated
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.contracts.proposals import StatusProposed

pytestmark = pytest.mark.integration


async def test_events_of_one_customer_in_one_batch_apply_in_order(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    now = datetime.now(UTC)
    events = [
        (topics.CRM_CUSTOMERS, CustomerCreated(first_name="Ada", marketing_opt_in=False)),
        *(
            (
                topics.PROPOSALS,
                StatusProposed(
                    proposal_id=f"{tenant}-{n}",
                    category_code="relationship",
                    status_code=status,
                    explanation={"rule": "count", "value": n, "event_ids": ["e-1"]},
                    evaluated_at=now,
                ),
            )
            for n, status in enumerate(("client", "inactive", "client"))
        ),
        (topics.CRM_CUSTOMERS, CustomerUpdated(last_name="Lovelace")),
    ]
    for n, (topic, data) in enumerate(events):  # sent together: they arrive as one batch or few
        event = new_event(data, id=f"e-{n}", source="t", tenant=tenant, subject="o-1", time=now)
        await h.producer.send(topic, _given_only(encode(event)), key=message_key(tenant, "o-1"))
    await h.producer.flush()

    changes = await h.wait_out(topics.STATUS_CHANGES, tenant, "o-1", 6)
    relationship = [
        (c.sequence, c.from_.code if c.from_ else None, c.to.code)
        for c in changes
        if c.category_code == "relationship"
    ]
    assert relationship == [
        (1, None, "lead"),
        (2, "lead", "client"),
        (3, "client", "inactive"),
        (4, "inactive", "client"),
    ]
    await h.until(
        lambda: h.pool.fetchval(
            f"SELECT last_name = 'Lovelace' FROM {h.schema}.customers"
            " WHERE tenant = $1 AND customer_id = 'o-1'",
            tenant,
        )
    )
    body = (
        await h.client.get("/v1/customers/o-1", headers=h.headers(tenant, "status:viewer"))
    ).json()
    assert (body["first_name"], body["last_name"], body["marketing_opt_in"]) == (
        "Ada",
        "Lovelace",
        False,
    )
    assert body["statuses"]["relationship"]["sequence"] == 4

    # the snapshot of that version (a configuration refresh may re-publish it later, too)
    async def of_that_version() -> Any:
        found = [s for s in h.out(topics.SNAPSHOTS, tenant, "o-1") if s.version == body["version"]]
        return found[-1] if found else None

    snapshot = await h.until(of_that_version)
    assert snapshot.statuses["relationship"].code == "client"


def _given_only(value: bytes) -> bytes:
    """The wire form of an upstream system: fields it does not give are absent, not null."""
    event = json.loads(value)
    event["data"] = {k: v for k, v in event["data"].items() if v is not None}
    return json.dumps(event).encode()


async def test_a_redelivered_bulk_chunk_counts_once(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    agent = h.headers(tenant, "status:agent")
    reply = await h.client.post(
        "/v1/bulk-status-changes",
        json={"category_code": "tier", "status_code": "spa_only", "customer_ids": ["k-1", "k-2"]},
        headers=agent,
    )
    assert reply.status_code == 202, reply.text
    job_id = reply.json()["id"]

    async def job() -> dict[str, Any]:
        found = await h.client.get(
            f"/v1/bulk-status-changes/{job_id}", headers=h.headers(tenant, "status:viewer")
        )
        body: dict[str, Any] = found.json()
        return body

    async def completed() -> dict[str, Any] | None:
        body = await job()
        return body if body["state"] == "completed" else None

    first = await h.until(completed)
    assert (first["total"], first["processed"], first["applied"]) == (2, 2, 2)

    # The same chunk again (another event id, one more customer), and a chunk of no known job.
    now = datetime.now(UTC)
    again = BulkJob(job_id, tenant, "agent-1", "tier", "restricted", None, None)
    unknown = BulkJob("no-such-job", tenant, "agent-1", "tier", "restricted", None, None)
    resent = [
        *chunk_messages(again, ["k-1", "k-2", "k-3"], now),
        *chunk_messages(unknown, ["k-4"], now),
    ]
    ids = [f"again-{n}" for n in range(len(resent))]
    for event_id, message in zip(ids, resent, strict=True):
        event = json.loads(message.value)
        event["id"] = event_id
        await h.producer.send_and_wait(topics.BULK, json.dumps(event).encode(), key=message.key)
    await h.until(
        lambda: h.pool.fetchval(
            f"SELECT count(*) = $3 FROM {h.schema}.inbox WHERE consumer = $1 AND tenant = $2"
            " AND event_id LIKE 'again-%'",
            BULK_CONSUMER,
            tenant,
            len(ids),
        )
    )
    assert await job() == first
    assert [await h.status_of(tenant, c, "tier") for c in ("k-1", "k-2", "k-3", "k-4")] == [
        "spa_only",
        "spa_only",
        None,
        None,
    ]
