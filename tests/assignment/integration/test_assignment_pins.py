"""Pins as SPEC §1 v2 says: a manual change may say `"pin": false` (set now, automation may move
it later), and `DELETE …/pin` resumes automation — the review found no way to re-activate a
suspended customer without switching fraud detection off for them for good."""

from __future__ import annotations

from typing import Any

import pytest

from cstatus.contracts import topics

pytestmark = pytest.mark.integration


async def _put(h: Any, tenant: str, customer: str, **body: Any) -> Any:
    reply = await h.client.put(
        f"/v1/customers/{customer}/statuses/relationship",
        json=body,
        headers=h.headers(tenant, "status:agent"),
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


async def test_a_manual_change_without_a_pin_lets_automation_move_it(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    answer = await _put(h, tenant, "c-1", status_code="vip", pin=False)
    assert answer["status"]["pinned"] is False
    vip = await h.until(lambda: _change_to(h, tenant, "vip"))
    assert vip.pinned is False
    await h.propose(tenant, "c-1", "relationship", "client", based_on_sequence=2)
    await h.until(lambda: _holds(h, tenant, "c-1", "client"))


async def test_deleting_the_pin_resumes_automation(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    answer = await _put(h, tenant, "c-1", status_code="vip")
    assert answer["status"]["pinned"] is True
    await h.propose(tenant, "c-1", "relationship", "client", based_on_sequence=2)
    await h.wait_out(topics.REJECTIONS, tenant, "c-1", 1)  # pinned

    unpinned = await h.client.delete(
        "/v1/customers/c-1/statuses/relationship/pin",
        headers=h.headers(tenant, "status:agent", subject="desk-1"),
    )
    assert unpinned.status_code == 200, unpinned.text
    assert unpinned.json()["status"]["status_code"] == "vip"
    assert unpinned.json()["status"]["pinned"] is False

    async def unpin_published() -> Any:
        found = [
            c
            for c in h.out(topics.STATUS_CHANGES, tenant, "c-1")
            if c.category_code == "relationship"
            and c.explanation is not None
            and c.explanation.rule == "unpin"
        ]
        return found[0] if found else None

    last = await h.until(unpin_published)
    assert (last.to.code, last.pinned, last.actor, last.sequence) == ("vip", False, "desk-1", 3)
    await h.propose(tenant, "c-1", "relationship", "client", based_on_sequence=3)
    await h.until(lambda: _holds(h, tenant, "c-1", "client"))


async def _holds(h: Any, tenant: str, customer: str, status: str) -> bool:
    return await h.status_of(tenant, customer, "relationship") == status


async def _change_to(h: Any, tenant: str, status: str) -> Any:
    found = [
        c
        for c in h.out(topics.STATUS_CHANGES, tenant, "c-1")
        if c.category_code == "relationship" and c.to is not None and c.to.code == status
    ]
    return found[0] if found else None
