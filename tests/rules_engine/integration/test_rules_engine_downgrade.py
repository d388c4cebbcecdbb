"""Tier policies on the real stack (SPEC 1.7): with a grace period the daily sweep moves a
customer down only once the higher status has not matched for `grace_days`; upgrades are
immediate; the explanation says until when the status holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from rules_support import (
    TODAY,
    Assignment,
    config,
    evaluation,
    event,
    new_tenant,
    status,
    token,
    until,
)

from cstatus.contracts import topics
from cstatus.contracts.configuration import CountRule, DowngradePolicy
from cstatus.contracts.reservations import ReservationBooked

pytestmark = pytest.mark.integration


def _graced(tenant: str, grace_days: int) -> Any:
    published = config(
        tenant,
        "loyalty",
        status("bronze", 0, default=True),
        status("silver", 10, rule=CountRule(metric="reservations", min=3, window_days=365)),
    )
    document = published.data.config
    [category] = document.categories
    category = category.model_copy(
        update={"downgrade_policy": DowngradePolicy(mode="grace", grace_days=grace_days)}
    )
    data = published.data.model_copy(
        update={"config": document.model_copy(update={"categories": (category,)})}
    )
    return published.model_copy(update={"data": data})


async def test_a_grace_period_holds_a_move_down_and_the_sweep_makes_it_after(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, clock: Any
) -> None:
    tenant, customer = new_tenant(), "cust-g"
    assignment = Assignment(publish, engine, tenant)
    await publish(topics.CONFIG, _graced(tenant, 10))
    for n, days_ago in enumerate((10, 5, 1), start=1):
        booked = ReservationBooked(
            reservation_id=f"r-{n}", arrival_date=TODAY - timedelta(days=days_ago)
        )
        await publish(topics.BOOKINGS_RESERVATIONS, event(booked, tenant, customer))
    _, proposal = await outputs.proposal(tenant, "loyalty", "silver")  # up: at once
    await assignment.apply(customer, "loyalty", "silver")
    activity = await until(
        lambda a: evaluation(a, "loyalty")["current"] == "silver", assignment, customer
    )
    keep = evaluation(activity, "loyalty")["explanation"]["keep"]
    # the stay of 10 days ago leaves the window on day +356; ten days of grace after that
    assert keep == {"until": str(TODAY + timedelta(days=365)), "then": "bronze"}

    admin = token(tenant)
    seen = len(outputs.of(topics.PROPOSALS, tenant))
    try:
        clock.offset = timedelta(days=361)  # silver stopped matching on day +356: in grace
        swept = await engine.post("/v1/sweeps", json={}, headers=admin)
        assert swept.status_code == 200, swept.text
        assert swept.json()["proposed"] == 0
        activity = await assignment.activity(customer)
        held = evaluation(activity, "loyalty")
        assert (held["target"], held["explanation"]["rule"]) == ("silver", "downgrade_policy")

        clock.offset = timedelta(days=367)  # ten days without a match: down
        swept = await engine.post("/v1/sweeps", json={}, headers=admin)
        assert swept.json()["candidates"] >= 1, swept.text
        _, proposal = await outputs.proposal(tenant, "loyalty", "bronze", after=seen)
        assert proposal.data.explanation.rule == "default"
    finally:
        clock.offset = timedelta()
