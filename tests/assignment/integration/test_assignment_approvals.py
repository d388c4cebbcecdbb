"""Four eyes (SPEC 1.8) on the real stack: a manual change into a status that requires approval
waits for a second person; the guards judge it when asked and again when it is approved."""

from __future__ import annotations

from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig

pytestmark = pytest.mark.integration

AGENT = ("status:agent",)
BOSS = ("status:approver",)


def _four_eyes(h: Any) -> tuple[CategoryConfig, ...]:
    """The harness's categories with deleted and fraud_confirmed taking four eyes."""
    categories = []
    for category in h.categories():
        if category.code == "lifecycle":
            statuses = tuple(
                s.model_copy(update={"requires_approval": s.code in ("deleted", "fraud_confirmed")})
                for s in category.statuses
            )
            category = category.model_copy(update={"statuses": statuses})
        categories.append(category)
    return tuple(categories)


async def _ask(h: Any, tenant: str, customer: str, status: str, **kw: Any) -> Any:
    return await h.client.put(
        f"/v1/customers/{customer}/statuses/lifecycle",
        json={"status_code": status, "reason": kw.pop("reason", "asked at the desk")},
        headers=h.headers(tenant, *kw.pop("roles", AGENT), subject=kw.pop("subject", "agent-1"))
        | kw.pop("headers", {}),
    )


async def _decide(h: Any, tenant: str, ident: str, verdict: str, subject: str, **kw: Any) -> Any:
    return await h.client.post(
        f"/v1/approvals/{ident}/{verdict}",
        json=kw.pop("body", {"reason": "checked the file"}),
        headers=h.headers(tenant, *kw.pop("roles", BOSS), subject=subject),
    )


async def test_a_deletion_waits_for_a_second_person_and_names_both(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _four_eyes(h))
    asked = await _ask(h, tenant, "c-1", "deleted", headers={"Idempotency-Key": "k-1"})
    assert asked.status_code == 202, asked.text
    ident = asked.json()["approval_id"]
    assert asked.json()["result"] == "pending"
    assert asked.json()["status"]["status_code"] == "active"  # nothing changed yet
    again = await _ask(h, tenant, "c-1", "deleted", headers={"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()["approval_id"]) == (202, ident)
    assert await h.status_of(tenant, "c-1", "lifecycle") == "active"

    listed = await h.client.get(
        "/v1/approvals", params={"state": "pending"}, headers=h.headers(tenant, "status:viewer")
    )
    assert [(a["id"], a["requested_by"], a["state"]) for a in listed.json()["items"]] == [
        (ident, "agent-1", "pending")
    ]

    # The requester can never approve their own, even holding the approver's role; an agent
    # without it cannot approve at all.
    own = await _decide(h, tenant, ident, "approve", "agent-1", roles=(*AGENT, *BOSS))
    assert (own.status_code, own.json()["code"]) == (403, "self_approval")
    assert (await _decide(h, tenant, ident, "approve", "agent-2", roles=AGENT)).status_code == 403

    approved = await _decide(h, tenant, ident, "approve", "boss")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["approval"]["state"], body["approval"]["decided_by"]) == ("approved", "boss")
    assert body["status"]["status_code"] == "deleted"
    assert await h.status_of(tenant, "c-1", "lifecycle") == "deleted"

    def deletions() -> list[Any]:
        changes = h.out(topics.STATUS_CHANGES, tenant, "c-1")
        return [c for c in changes if c.to is not None and c.to.code == "deleted"]

    deleted = await h.until(lambda: _now(deletions()))
    changes = h.out(topics.STATUS_CHANGES, tenant, "c-1")
    assert [(c.actor, c.approved_by, c.reason) for c in deleted] == [
        ("agent-1", "boss", "asked at the desk")
    ]

    twice = await _decide(h, tenant, ident, "approve", "boss-2")
    assert (twice.status_code, twice.json()["code"]) == (409, "approval_not_pending")
    assert len(h.out(topics.STATUS_CHANGES, tenant, "c-1")) == len(changes)


async def test_what_the_guards_refuse_is_refused_at_once_and_a_rejection_changes_nothing(
    harness: Any,
) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _four_eyes(h))
    refused = await _ask(h, tenant, "c-2", "fraud_confirmed")
    assert (refused.status_code, refused.json()["code"]) == (
        409,
        "fraud_confirmed_requires_suspected",
    )
    no_reason = await _ask(h, tenant, "c-2", "deleted", reason=None)
    assert (no_reason.status_code, no_reason.json()["code"]) == (422, "reason_required")
    listed = await h.client.get("/v1/approvals", headers=h.headers(tenant, *BOSS))
    assert listed.json()["items"] == []  # never queued

    asked = await _ask(h, tenant, "c-2", "deleted")
    ident = asked.json()["approval_id"]
    assert (await _decide(h, tenant, ident, "reject", "boss", body={})).status_code == 422
    rejected = await _decide(h, tenant, ident, "reject", "boss", body={"reason": "a mistake"})
    assert rejected.status_code == 200, rejected.text
    assert (
        rejected.json()["approval"]["state"],
        rejected.json()["approval"]["decision_reason"],
    ) == (
        "rejected",
        "a mistake",
    )
    assert await h.status_of(tenant, "c-2", "lifecycle") == "active"
    late = await _decide(h, tenant, ident, "approve", "boss-2")
    assert (late.status_code, late.json()["code"]) == (409, "approval_not_pending")
    missing = await _decide(h, tenant, "0" * 32, "approve", "boss")
    assert (missing.status_code, missing.json()["code"]) == (404, "approval_not_found")
    other = await h.client.get(f"/v1/approvals/{ident}", headers=h.headers(h.tenant(), *BOSS))
    assert other.status_code == 404  # another tenant's request is not seen


async def test_an_approval_is_judged_again_and_expires(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _four_eyes(h))
    await h.propose(tenant, "c-3", "lifecycle", "fraud_suspected")
    await h.until(
        lambda: _is(h.status_of(tenant, "c-3", "lifecycle"), "fraud_suspected"), wait_s=20
    )
    asked = await _ask(h, tenant, "c-3", "fraud_confirmed")
    assert asked.status_code == 202, asked.text
    # The customer moves on before anyone approves: confirmed fraud needs a suspicion.
    cleared = await _ask(h, tenant, "c-3", "active", subject="agent-2")
    assert cleared.status_code == 200, cleared.text
    approved = await _decide(h, tenant, asked.json()["approval_id"], "approve", "boss")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["approval"]["state"], approved.json()["approval"]["refusal_code"]) == (
        "refused",
        "fraud_confirmed_requires_suspected",
    )
    assert await h.status_of(tenant, "c-3", "lifecycle") == "active"

    waiting = (await _ask(h, tenant, "c-4", "deleted")).json()["approval_id"]
    await h.pool.execute(  # seven days pass
        f"UPDATE {h.schema}.approvals SET expires_at = now() - interval '1 second' WHERE id = $1",
        waiting,
    )
    read = await h.client.get(f"/v1/approvals/{waiting}", headers=h.headers(tenant, *BOSS))
    assert read.json()["state"] == "expired"
    expired = await h.client.get(
        "/v1/approvals", params={"state": "expired"}, headers=h.headers(tenant, *BOSS)
    )
    assert [a["id"] for a in expired.json()["items"]] == [waiting]
    pending = await h.client.get(
        "/v1/approvals", params={"state": "pending"}, headers=h.headers(tenant, *BOSS)
    )
    assert pending.json()["items"] == []
    late = await _decide(h, tenant, waiting, "approve", "boss")
    assert (late.status_code, late.json()["code"]) == (409, "approval_expired")
    assert await h.status_of(tenant, "c-4", "lifecycle") == "active"


async def test_a_bulk_change_goes_through_the_same_gate(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _four_eyes(h))
    reply = await h.client.post(
        "/v1/bulk-status-changes",
        json={
            "category_code": "lifecycle",
            "status_code": "deleted",
            "reason": "closing old accounts",
            "customer_ids": ["b-1", "b-2"],
        },
        headers=h.headers(tenant, *AGENT),
    )
    assert reply.status_code == 202, reply.text
    job = reply.json()["id"]

    async def done() -> Any:
        found = await h.client.get(
            f"/v1/bulk-status-changes/{job}", headers=h.headers(tenant, *AGENT)
        )
        return found.json() if found.json()["state"] == "completed" else None

    finished = await h.until(done, wait_s=30)
    assert (finished["applied"], finished["rejected"], finished["pending"]) == (0, 0, 2)
    listed = await h.client.get(
        "/v1/approvals", params={"state": "pending"}, headers=h.headers(tenant, *BOSS)
    )
    assert sorted(a["customer_id"] for a in listed.json()["items"]) == ["b-1", "b-2"]
    assert await h.status_of(tenant, "b-1", "lifecycle") in (None, "active")


async def _is(value: Any, wanted: str) -> bool:
    return (await value) == wanted


async def _now(value: Any) -> Any:
    return value
