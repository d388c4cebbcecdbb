"""A manual change racing automatic ones: nothing lost, and the change log explains the final state."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

import pytest

from cstatus.contracts import topics

pytestmark = pytest.mark.integration

PROPOSALS = 40


async def test_a_manual_change_racing_automatic_ones_loses_no_update(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)

    async def automation() -> None:
        for n in range(PROPOSALS):
            await h.propose(tenant, "c-1", "relationship", ("client", "inactive")[n % 2])

    async def person() -> Any:
        await asyncio.sleep(0.05)
        return await h.client.put(
            "/v1/customers/c-1/statuses/relationship",
            json={"status_code": "vip", "reason": "owner's friend"},
            headers=h.headers(tenant, "status:agent"),
        )

    _, reply = await asyncio.gather(automation(), person())
    assert reply.status_code == 200, reply.text

    async def all_judged() -> bool:
        judged = await h.pool.fetchval(
            f"SELECT count(*) FROM {h.schema}.applied_refs WHERE tenant = $1"
            " AND ref_id LIKE 'proposal/%'",
            tenant,
        )
        return bool(judged == PROPOSALS)

    await h.until(all_judged)
    row = await h.holding(tenant, "c-1", "relationship")
    log = await h.pool.fetch(
        f"SELECT sequence, from_code, to_code, source FROM {h.schema}.status_changes"
        " WHERE tenant = $1 AND customer_id = 'c-1' AND category_code = 'relationship'"
        " ORDER BY sequence",
        tenant,
    )
    assert [r["sequence"] for r in log] == list(range(1, len(log) + 1))
    for before, after in itertools.pairwise(log):
        assert after["from_code"] == before["to_code"]
    assert (row["status_code"], row["sequence"]) == (log[-1]["to_code"], log[-1]["sequence"])
    assert (row["status_code"], row["pinned"]) == ("vip", True)
    manual = next(i for i, r in enumerate(log) if r["source"] == "manual")
    assert all(r["source"] != "automatic" for r in log[manual + 1 :])

    outcomes = await h.pool.fetch(
        f"SELECT outcome FROM {h.schema}.applied_refs WHERE tenant = $1 AND ref_id LIKE 'proposal/%'",
        tenant,
    )
    judged = [json.loads(o["outcome"]) for o in outcomes]
    refused = [o for o in judged if o["result"] == "refused"]
    applied = [o for o in judged if o["result"] == "applied"]
    assert len(applied) == sum(r["source"] == "automatic" for r in log)
    assert {o["code"] for o in refused} <= {"pinned"}
    published = await h.wait_out(topics.STATUS_CHANGES, tenant, "c-1", len(log) + 2)
    assert sorted(c.sequence for c in published if c.category_code == "relationship") == [
        r["sequence"] for r in log
    ]
    await h.wait_out(topics.REJECTIONS, tenant, "c-1", len(refused))
