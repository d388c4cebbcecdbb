"""Changes by people through the running services: a manual suspension marks transactions as
outliers; a manual override pins automation away until it is cleared or its `until` passes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from support import Output, Platform, eventually
from tenants import Tenant, changes_of

from cstatus.contracts import topics
from cstatus.contracts.envelope import message_key

pytestmark = pytest.mark.e2e


async def _assign(tenant: Tenant, customer: str, category: str, status: str, **extra: Any) -> Any:
    return await tenant.call(
        "assignment",
        "PUT",
        f"/v1/customers/{customer}/statuses/{category}",
        role="status:agent",
        subject="agent-3",
        json={"status_code": status, **extra},
    )


def _relationship(activity: dict[str, Any] | None) -> dict[str, Any]:
    assert activity is not None
    found: dict[str, Any] = next(
        e for e in activity["evaluations"] if e["category_code"] == "relationship"
    )
    return found


async def test_transactions_of_a_suspended_customer_are_outliers(
    tenant: Tenant, platform: Platform
) -> None:
    await tenant.created("c-susp")
    await tenant.await_status("c-susp", "lifecycle", "active")

    refused = await _assign(tenant, "c-susp", "lifecycle", "suspended")
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "reason_required"
    applied = await _assign(tenant, "c-susp", "lifecycle", "suspended", reason="unpaid invoice")
    assert applied.status_code == 200, applied.text
    assert applied.json()["status"]["pinned"] is True
    await eventually(
        lambda: tenant.activity("c-susp"),
        lambda a: a is not None and any(e["current"] == "suspended" for e in a["evaluations"]),
        "the rules engine to see the suspension",
    )

    await tenant.transaction("c-susp", "t-susp-1")
    key = message_key(tenant.id, "c-susp")

    def ours(output: Output) -> bool:
        return output.key == key

    [outlier] = await platform.outputs.wait(topics.OUTLIERS, ours, "the outlier of t-susp-1")
    event = json.loads(outlier.value or b"")
    assert (event["type"], event["tenant"], event["subject"]) == (
        "transaction.outlier",
        tenant.id,
        "c-susp",
    )
    assert event["data"]["transaction_id"] == "t-susp-1"
    assert event["data"]["status_code"] == "suspended"
    history = await tenant.await_history(
        "c-susp", lambda h: len(changes_of(h, "lifecycle")) == 2, "the suspension logged"
    )
    suspension = [h for h in history if h["category_code"] == "lifecycle"][-1]
    assert changes_of([suspension], "lifecycle") == [("active", "suspended", "manual")]
    assert (suspension["actor"], suspension["reason"]) == ("agent-3", "unpaid invoice")


async def _pinned_vip_after_a_booking(tenant: Tenant, customer: str) -> None:
    await tenant.created(customer)
    await tenant.booked(customer, "r-1", date.today())
    await tenant.await_status(customer, "relationship", "client")
    response = await _assign(tenant, customer, "relationship", "vip", reason="met the owner")
    assert response.status_code == 200, response.text
    await tenant.await_status(customer, "relationship", "vip", source="manual", pinned=True)


async def test_a_manual_override_pins_automation_away(tenant: Tenant) -> None:
    await _pinned_vip_after_a_booking(tenant, "c-pin")

    await tenant.booked("c-pin", "r-2", date.today())
    activity = await eventually(
        lambda: tenant.activity("c-pin"),
        lambda a: (
            a is not None
            and a["facts"]["reservations"] == 2
            and _relationship(a)["current"] == "vip"
        ),
        "the second booking recorded, the customer seen as a pinned vip",
    )
    evaluation = _relationship(activity)
    assert (evaluation["current"], evaluation["pinned"], evaluation["changes"]) == (
        "vip",
        True,
        False,
    )
    await tenant.await_status("c-pin", "relationship", "vip")
    history = await tenant.await_history(
        "c-pin", lambda h: ("client", "vip", "manual") in changes_of(h, "relationship"), "vip"
    )
    assert changes_of(history, "relationship")[-1] == ("client", "vip", "manual")
    assert (history[-1]["actor"], history[-1]["reason"]) == ("agent-3", "met the owner")


async def test_clearing_a_pin_lets_automation_re_evaluate(tenant: Tenant) -> None:
    await _pinned_vip_after_a_booking(tenant, "c-unpin")

    unpinned = await tenant.call(
        "assignment",
        "DELETE",
        "/v1/customers/c-unpin/statuses/relationship",
        role="status:agent",
        params={"reason": "not a vip after all"},
    )
    assert unpinned.status_code == 200, unpinned.text
    await tenant.await_status(
        "c-unpin", "relationship", "client", source="automatic", pinned=False, timeout_s=10
    )
    history = await tenant.await_history(
        "c-unpin", lambda h: len(changes_of(h, "relationship")) == 5, "five relationship changes"
    )
    assert changes_of(history, "relationship") == [
        (None, "lead", "system"),
        ("lead", "client", "automatic"),
        ("client", "vip", "manual"),
        ("vip", None, "manual"),
        (None, "client", "automatic"),
    ]


async def test_a_pin_with_until_resumes_automation_by_itself(tenant: Tenant) -> None:
    await tenant.created("c-until")
    await tenant.booked("c-until", "r-1", date.today())
    await tenant.await_status("c-until", "relationship", "client")

    until = datetime.now(UTC) + timedelta(seconds=3)
    response = await _assign(tenant, "c-until", "relationship", "vip", until=until.isoformat())
    assert response.status_code == 200, response.text
    held = await tenant.await_status("c-until", "relationship", "vip", pinned=True)
    assert datetime.fromisoformat(held["pinned_until"]) == until

    await tenant.await_status("c-until", "relationship", "client", pinned=False)
    assert datetime.now(UTC) >= until
    history = await tenant.await_history(
        "c-until",
        lambda h: changes_of(h, "relationship")[-1:] == [("vip", "client", "automatic")],
        "automation back after the pin",
    )
    assert changes_of(history, "relationship")[2] == ("client", "vip", "manual")
    assert "pin_expired" in {(h["explanation"] or {}).get("rule") for h in history}
