"""Lifecycle through the running services: a velocity burst makes a sticky fraud suspicion that
only a person may confirm; fraud_confirmed only from fraud_suspected; deleted is terminal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from support import eventually
from tenants import Tenant, changes_of

pytestmark = pytest.mark.e2e


async def _put(tenant: Tenant, customer: str, status: str, reason: str | None) -> Any:
    body = {"status_code": status} | ({"reason": reason} if reason else {})
    return await tenant.call(
        "assignment",
        "PUT",
        f"/v1/customers/{customer}/statuses/lifecycle",
        role="status:agent",
        subject="agent-7",
        json=body,
    )


def _lifecycle(activity: dict[str, Any] | None) -> dict[str, Any]:
    assert activity is not None
    found: dict[str, Any] = next(
        e for e in activity["evaluations"] if e["category_code"] == "lifecycle"
    )
    return found


async def _approve(tenant: Tenant, asked: Any) -> Any:
    """Seeded deleted and fraud_confirmed take four eyes (SPEC 1.8): a second person approves."""
    assert asked.status_code == 202, asked.text
    assert asked.json()["result"] == "pending"
    reply = await tenant.call(
        "assignment",
        "POST",
        f"/v1/approvals/{asked.json()['approval_id']}/approve",
        role="status:approver",
        subject="boss-1",
        json={},
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["approval"]["state"] == "approved"
    return reply


def _refused(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


async def test_velocity_burst_is_a_sticky_fraud_suspicion_an_agent_may_confirm(
    tenant: Tenant,
) -> None:
    await tenant.created("c-burst")
    await tenant.await_status("c-burst", "lifecycle", "active")
    start = datetime.now(UTC) - timedelta(minutes=50)
    for i in range(21):  # more than 20 within 60 minutes
        await tenant.transaction("c-burst", f"t-{i}", at=start + timedelta(minutes=2 * i))

    suspected = await tenant.await_status(
        "c-burst", "lifecycle", "fraud_suspected", source="automatic"
    )
    assert suspected["system_state"] == "fraud_suspected"
    history = await tenant.await_history(
        "c-burst",
        lambda h: ("active", "fraud_suspected", "automatic") in changes_of(h, "lifecycle"),
        "the suspicion logged",
    )
    suspicion = next(h for h in history if (h["to"] or {}).get("code") == "fraud_suspected")
    explanation = suspicion["explanation"]
    assert (explanation["rule"], explanation["value"]) == ("velocity", 21)
    assert len(explanation["event_ids"]) == 21

    # later, normal activity does not move the sticky suspicion
    await tenant.booked("c-burst", "r-1", date.today())
    await tenant.transaction("c-burst", "t-later")
    activity = await eventually(
        lambda: tenant.activity("c-burst"),
        lambda a: (
            a is not None
            and a["facts"]["transactions"] == 22
            and _lifecycle(a)["current"] == "fraud_suspected"
        ),
        "the later transaction recorded, the customer seen as a suspect",
    )
    assert (_lifecycle(activity)["target"], _lifecycle(activity)["changes"]) == (
        "fraud_suspected",
        False,
    )
    await tenant.await_status("c-burst", "lifecycle", "fraud_suspected")

    _refused(await _put(tenant, "c-burst", "fraud_confirmed", None), 422, "reason_required")
    confirmed = await _put(tenant, "c-burst", "fraud_confirmed", "chargebacks on 3 cards")
    await _approve(tenant, confirmed)
    held = await tenant.await_status("c-burst", "lifecycle", "fraud_confirmed", source="manual")
    assert (held["updated_by"], held["reason"]) == ("agent-7", "chargebacks on 3 cards")
    history = await tenant.await_history(
        "c-burst", lambda h: len(changes_of(h, "lifecycle")) == 3, "the confirmation logged"
    )
    assert changes_of(history, "lifecycle") == [
        (None, "active", "system"),
        ("active", "fraud_suspected", "automatic"),
        ("fraud_suspected", "fraud_confirmed", "manual"),
    ]
    confirmation = [h for h in history if h["category_code"] == "lifecycle"][-1]
    assert (confirmation["actor"], confirmation["approved_by"], confirmation["reason"]) == (
        "agent-7",
        "boss-1",
        "chargebacks on 3 cards",
    )


async def test_fraud_confirmed_only_from_suspected_and_deleted_is_terminal(
    tenant: Tenant,
) -> None:
    await tenant.created("c-life")
    await tenant.await_status("c-life", "lifecycle", "active")

    refused = await _put(tenant, "c-life", "fraud_confirmed", "looked odd")
    _refused(refused, 409, "fraud_confirmed_requires_suspected")
    await tenant.await_status("c-life", "lifecycle", "active")

    deleted = await _put(tenant, "c-life", "deleted", "closed the account")
    await _approve(tenant, deleted)
    await tenant.await_status("c-life", "lifecycle", "deleted", source="manual")

    _refused(await _put(tenant, "c-life", "active", "reopened"), 409, "terminal")
    cleared = await tenant.call(
        "assignment",
        "DELETE",
        "/v1/customers/c-life/statuses/lifecycle",
        role="status:agent",
        params={"reason": "reopened"},
    )
    _refused(cleared, 409, "terminal")
    history = await tenant.await_history(
        "c-life", lambda h: len(changes_of(h, "lifecycle")) == 2, "the deletion logged"
    )
    assert changes_of(history, "lifecycle") == [
        (None, "active", "system"),
        ("active", "deleted", "manual"),
    ]
    await tenant.await_status("c-life", "lifecycle", "deleted")
