"""An admin's own automatic category: loyalty tiers by reservations arrived in the last 30 days,
rising as reservations arrive and falling when the daily sweep finds their window passed."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from support import eventually
from tenants import Tenant, changes_of

pytestmark = pytest.mark.e2e

TIERS = [("member", 0, None), ("bronze", 1, 1), ("silver", 2, 2), ("gold", 3, 3)]


async def _loyalty_category(tenant: Tenant) -> None:
    created = await tenant.call(
        "status-config",
        "POST",
        "/v1/categories",
        json={
            "code": "loyalty",
            "name": "Loyalty level",
            "update_mode": "automatic",
            "manual_override_allowed": True,
            "reason_required": False,
        },
    )
    assert created.status_code == 201, created.text
    category = created.json()["id"]
    for code, priority, minimum in TIERS:
        status = await tenant.call(
            "status-config",
            "POST",
            f"/v1/categories/{category}/statuses",
            json={
                "code": code,
                "name": code.title(),
                "colour": "#C0C0C0",
                "priority": priority,
                "is_default": minimum is None,
            },
        )
        assert status.status_code == 201, status.text
        if minimum is not None:
            rule = await tenant.call(
                "status-config",
                "PUT",
                f"/v1/statuses/{status.json()['id']}/rule",
                json={"type": "count", "metric": "reservations", "min": minimum, "window_days": 30},
            )
            assert rule.status_code in (200, 201), rule.text
    await tenant.await_config({"loyalty": "gold"})


def _loyalty(activity: dict[str, Any] | None) -> dict[str, Any]:
    assert activity is not None
    found: dict[str, Any] = next(
        e for e in activity["evaluations"] if e["category_code"] == "loyalty"
    )
    return found


async def _sweep(tenant: Tenant, as_of: date) -> dict[str, Any]:
    response = await tenant.call(
        "rules-engine", "POST", "/v1/sweeps", role="status:system", json={"as_of": str(as_of)}
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def _silver_customer(tenant: Tenant, customer: str) -> None:
    """A customer whose two reservations arrived in the last days: bronze, then silver."""
    today = date.today()
    await tenant.created(customer)
    await tenant.await_status(customer, "loyalty", "member", source="system")
    await tenant.booked(customer, "r-1", today - timedelta(days=2))
    bronze = await tenant.await_status(customer, "loyalty", "bronze", source="automatic")
    assert bronze["updated_by"] == "rules-engine"
    await tenant.booked(customer, "r-2", today - timedelta(days=1))
    await tenant.await_status(customer, "loyalty", "silver", source="automatic")


async def test_loyalty_tiers_rise_as_reservations_arrive(tenant: Tenant) -> None:
    await _loyalty_category(tenant)
    await _silver_customer(tenant, "c-rise")

    # a future booking counts only once the guest arrives
    await tenant.booked("c-rise", "r-3", date.today() + timedelta(days=3))
    activity = await eventually(
        lambda: tenant.activity("c-rise"),
        lambda a: (
            a is not None and a["facts"]["events"] == 3 and _loyalty(a)["current"] == "silver"
        ),
        "the future booking recorded, the customer seen as silver",
    )
    assert (_loyalty(activity)["target"], _loyalty(activity)["changes"]) == ("silver", False)
    await tenant.await_status("c-rise", "loyalty", "silver")

    history = await tenant.await_history(
        "c-rise", lambda h: len(changes_of(h, "loyalty")) == 3, "three loyalty changes"
    )
    assert changes_of(history, "loyalty") == [
        (None, "member", "system"),
        ("member", "bronze", "automatic"),
        ("bronze", "silver", "automatic"),
    ]
    rises = [h["explanation"] for h in history if h["category_code"] == "loyalty"][1:]
    assert [(e["rule"], e["value"], e["window"]) for e in rises] == [
        ("count", 1, "30 days"),
        ("count", 2, "30 days"),
    ]
    assert len(rises[1]["event_ids"]) == 2


async def test_loyalty_falls_when_the_sweep_finds_the_window_passed(tenant: Tenant) -> None:
    await _loyalty_category(tenant)
    await _silver_customer(tenant, "c-fall")

    swept = await _sweep(tenant, date.today() + timedelta(days=45))
    assert swept["proposed"] >= 1, swept
    await tenant.await_history(
        "c-fall",
        lambda h: ("silver", "member", "automatic") in changes_of(h, "loyalty"),
        "the fall logged",
    )
    await asyncio.sleep(2)  # what automation does next would have happened by now
    history = await tenant.history("c-fall", category="loyalty")
    assert changes_of(history, "loyalty")[-1] == ("silver", "member", "automatic")
    await tenant.await_status("c-fall", "loyalty", "member", timeout_s=1)
