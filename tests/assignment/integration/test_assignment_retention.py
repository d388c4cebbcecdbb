"""Tables that grow with traffic have a retention (SPEC §3 v2): old idempotency outcomes and the
service's own copy of old changes are pruned; recent ones stay (before, both grew for good)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from cstatus.assignment.service.retention import prune

pytestmark = pytest.mark.integration


async def test_old_outcomes_and_changes_are_pruned_recent_ones_kept(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    for customer in ("c-old", "c-new"):
        reply = await h.client.put(
            f"/v1/customers/{customer}/statuses/relationship",
            json={"status_code": "vip"},
            headers=h.headers(tenant, "status:agent"),
        )
        assert reply.status_code == 200, reply.text
    s = h.schema
    await h.pool.execute(
        f"UPDATE {s}.applied_refs SET created_at = now() - interval '9 days'"
        f" WHERE tenant = $1 AND ref_id IN (SELECT ref_id FROM {s}.status_changes"
        " WHERE tenant = $1 AND customer_id = 'c-old')",
        tenant,
    )
    await h.pool.execute(
        f"UPDATE {s}.status_changes SET recorded_at = now() - interval '91 days'"
        " WHERE tenant = $1 AND customer_id = 'c-old'",
        tenant,
    )
    keep = {"applied_refs": timedelta(days=8), "status_changes": timedelta(days=90)}
    removed = await prune(h.pool, s, keep, batch=2)
    assert removed["status_changes"] >= 1 and removed["applied_refs"] >= 1
    left = await h.pool.fetch(
        f"SELECT customer_id FROM {s}.status_changes WHERE tenant = $1", tenant
    )
    assert {r["customer_id"] for r in left} == {"c-new"}
    # the holdings (and so sequences and states) are untouched
    assert await h.status_of(tenant, "c-old", "relationship") == "vip"
