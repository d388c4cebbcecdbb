"""Bulk changes: by ids (10,000 customers, with progress) and by filter, with per-customer refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.integration

CUSTOMERS = 10_000


async def _job(h: Any, tenant: str, job_id: str) -> dict[str, Any]:
    reply = await h.client.get(
        f"/v1/bulk-status-changes/{job_id}", headers=h.headers(tenant, "status:viewer")
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


async def test_a_bulk_change_of_ten_thousand_customers_reports_progress(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    agent = h.headers(tenant, "status:agent")
    await h.client.put(
        "/v1/customers/b-00000/statuses/lifecycle",
        json={"status_code": "deleted", "reason": "closed"},
        headers=agent,
    )
    ids = [f"b-{n:05d}" for n in range(CUSTOMERS)]
    reply = await h.client.post(
        "/v1/bulk-status-changes",
        json={
            "category_code": "lifecycle",
            "status_code": "suspended",
            "reason": "migration",
            "customer_ids": ids,
        },
        headers=agent,
    )
    assert reply.status_code == 202, reply.text
    job = reply.json()
    assert (job["total"], job["state"]) in {(CUSTOMERS, "queued"), (CUSTOMERS, "running")}

    seen_progress: set[int] = set()

    async def done() -> dict[str, Any] | None:
        body = await _job(h, tenant, job["id"])
        seen_progress.add(body["processed"])
        return body if body["state"] == "completed" else None

    final = await h.until(done, wait_s=240)
    assert len(seen_progress) > 2  # progress was visible while it ran
    assert (final["processed"], final["applied"], final["rejected"]) == (
        CUSTOMERS,
        CUSTOMERS - 1,
        1,
    )
    assert final["refusals"] == [
        {
            "customer_id": "b-00000",
            "code": "terminal",
            "message": "deleted is terminal: no change out of it",
        }
    ]
    suspended = await h.pool.fetchval(
        f"SELECT count(*) FROM {h.schema}.statuses WHERE tenant = $1"
        " AND category_code = 'lifecycle' AND status_code = 'suspended' AND pinned",
        tenant,
    )
    assert suspended == CUSTOMERS - 1


async def test_a_bulk_change_by_filter_and_its_validation(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    agent = h.headers(tenant, "status:agent")
    for customer in ("f-1", "f-2", "f-3"):
        reply = await h.client.put(
            f"/v1/customers/{customer}/statuses/segment",
            json={"status_code": "b2b" if customer != "f-3" else "b2c"},
            headers=h.headers(tenant, "status:system"),
        )
        assert reply.status_code == 200
    body = {
        "category_code": "tier",
        "status_code": "restricted",
        "filter": {"status": "segment:b2b"},
    }
    reply = await h.client.post("/v1/bulk-status-changes", json=body, headers=agent)
    assert reply.status_code == 202, reply.text

    async def done() -> dict[str, Any] | None:
        found = await _job(h, tenant, reply.json()["id"])
        return found if found["state"] == "completed" else None

    final = await h.until(done)
    assert (final["total"], final["applied"]) == (2, 2)
    assert [await h.status_of(tenant, c, "tier") for c in ("f-1", "f-2", "f-3")] == [
        "restricted",
        "restricted",
        "basic",
    ]

    bad = [
        ({"category_code": "nope", "status_code": "x", "customer_ids": ["a"]}, "unknown_category"),
        (
            {"category_code": "lifecycle", "status_code": "active", "customer_ids": ["a"]},
            "reason_required",
        ),
        ({"category_code": "tier", "status_code": "basic"}, "validation_failed"),
    ]
    for payload, code in bad:
        refused = await h.client.post("/v1/bulk-status-changes", json=payload, headers=agent)
        assert (refused.status_code, refused.json()["code"]) == (422, code)
    viewer = h.headers(tenant, "status:viewer")
    body["customer_ids"], body["filter"] = ["x"], None
    assert (
        await h.client.post("/v1/bulk-status-changes", json=body, headers=viewer)
    ).status_code == 403
    await asyncio.sleep(0)
