"""Tier policies on the real stack (SPEC 1.7): with a grace period the daily sweep moves a
customer down only once the higher status has not matched for `grace_days`; upgrades are
immediate; the explanation says until when the status holds."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from rules_support import (
    TODAY,
    Assignment,
    config,
    evaluation,
    event,
    jobs_done,
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
    engine: httpx.AsyncClient, publish: Any, outputs: Any, clock: Any, pg_pool: Any
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
    await jobs_done(pg_pool, tenant)

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


def _tiers(tenant: str, policy: DowngradePolicy) -> Any:
    published = config(
        tenant,
        "loyalty",
        status("bronze", 0, default=True),
        status("silver", 10, rule=CountRule(metric="reservations", min=1)),  # ever
        status("gold", 20, rule=CountRule(metric="reservations", min=3, window_days=365)),
    )
    document = published.data.config
    [category] = document.categories
    category = category.model_copy(update={"downgrade_policy": policy})
    data = published.data.model_copy(
        update={"config": document.model_copy(update={"categories": (category,)})}
    )
    return published.model_copy(update={"data": data})


async def test_gold_holds_29_days_after_its_rule_stops_matching_is_warned_and_then_is_silver(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, clock: Any, pg_pool: Any
) -> None:
    """SPEC 1.7 must-show: grace_days 30, warn_days 7. Gold rests on three stays (10, 5 and 1
    days ago); the oldest leaves the 365-day window on day +356, so gold stops matching then,
    holds through day +385 (29 days later) and is silver from day +386; the warning is
    published by the sweep of day +379, not before, and only once."""
    tenant, customer = new_tenant(), "cust-w"
    assignment = Assignment(publish, engine, tenant)
    policy = DowngradePolicy(mode="grace", grace_days=30, warn_days=7)
    await publish(topics.CONFIG, _tiers(tenant, policy))
    for n, days_ago in enumerate((10, 5, 1), start=1):
        booked = ReservationBooked(
            reservation_id=f"r-{n}", arrival_date=TODAY - timedelta(days=days_ago)
        )
        await publish(topics.BOOKINGS_RESERVATIONS, event(booked, tenant, customer))
    await outputs.proposal(tenant, "loyalty", "gold")
    await assignment.apply(customer, "loyalty", "gold")
    activity = await until(
        lambda a: evaluation(a, "loyalty")["current"] == "gold", assignment, customer
    )
    keep = evaluation(activity, "loyalty")["explanation"]["keep"]
    assert keep == {"until": str(TODAY + timedelta(days=385)), "then": "silver"}
    await jobs_done(pg_pool, tenant)

    def warnings() -> list[Any]:
        return [
            e
            for e in outputs.of(topics.STATUS_CHANGES, tenant)
            if e.type == "customer_status.will_downgrade"
        ]

    admin = token(tenant)
    seen = len(outputs.of(topics.PROPOSALS, tenant))

    async def sweep(day: int) -> dict[str, Any]:
        clock.offset = timedelta(days=day)
        swept = await engine.post("/v1/sweeps", json={}, headers=admin)
        assert swept.status_code == 200, swept.text
        return dict(swept.json())

    try:
        assert (await sweep(356))["proposed"] == 0  # gold stopped matching today: grace
        assert (await sweep(378))["warned"] == 0  # the move is 8 days away
        assert (await sweep(379))["warned"] == 1  # ... now 7
        async with asyncio.timeout(30):
            while not warnings():
                await asyncio.sleep(0.05)
        [warning] = warnings()
        data = warning.data
        assert (data.category_code, data.status_code, data.to_status_code) == (
            "loyalty",
            "gold",
            "silver",
        )
        assert data.on == TODAY + timedelta(days=386)
        assert data.keep == {
            "status_code": "gold",
            "rule": "count",
            "metric": "reservations",
            "needs": 3,
            "window_days": 365,
            "by": str(TODAY + timedelta(days=385)),
        }
        assert (await sweep(380))["warned"] == 0  # once
        swept = await sweep(385)  # 29 days after it stopped matching: still gold
        assert swept["proposed"] == 0, swept
        held = evaluation(await assignment.activity(customer), "loyalty")
        assert (held["target"], held["explanation"]["rule"]) == ("gold", "downgrade_policy")
        assert len(outputs.of(topics.PROPOSALS, tenant)) == seen

        assert (await sweep(386))["proposed"] == 1  # day 31: silver
        _, proposal = await outputs.proposal(tenant, "loyalty", "silver", after=seen)
        assert proposal.data.explanation.rule == "count"
        assert len(warnings()) == 1
    finally:
        clock.offset = timedelta()


def _quarter_after_next(day: date) -> date:
    month = (day.month - 1) // 3 * 3 + 1 + 6  # two quarters on from the current one's start
    return date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


async def test_period_end_quarter_moves_nobody_down_until_the_quarter_ends(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, clock: Any, pg_pool: Any
) -> None:
    """SPEC 1.7 must-show: `period_end` with `quarter`. A booked stay 40 days before a quarter
    starts makes silver ("1 stay in 10 days") on its arrival; it leaves the window 11 days
    later, but silver matched in the quarter, so every sweep up to the quarter's last day
    moves nobody; the sweep of the quarter's first day moves the customer to bronze."""
    tenant, customer = new_tenant(), "cust-q"
    assignment = Assignment(publish, engine, tenant)
    published = config(
        tenant,
        "loyalty",
        status("bronze", 0, default=True),
        status("silver", 10, rule=CountRule(metric="reservations", min=1, window_days=10)),
    )
    document = published.data.config
    [category] = document.categories
    category = category.model_copy(
        update={"downgrade_policy": DowngradePolicy(mode="period_end", period="quarter")}
    )
    data = published.data.model_copy(
        update={"config": document.model_copy(update={"categories": (category,)})}
    )
    await publish(topics.CONFIG, published.model_copy(update={"data": data}))
    quarter = _quarter_after_next(TODAY)
    arrival = quarter - timedelta(days=40)
    booked = ReservationBooked(reservation_id="r-q", arrival_date=arrival)
    await publish(topics.BOOKINGS_RESERVATIONS, event(booked, tenant, customer))
    await until(lambda a: a.get("facts", {}).get("reservations") == 1, assignment, customer)
    await jobs_done(pg_pool, tenant)

    admin = token(tenant)

    async def sweep(day: date) -> dict[str, Any]:
        clock.offset = timedelta(days=(day - TODAY).days)
        swept = await engine.post("/v1/sweeps", json={}, headers=admin)
        assert swept.status_code == 200, swept.text
        return dict(swept.json())

    try:
        assert (await sweep(arrival))["proposed"] == 1  # up: at once
        _, proposal = await outputs.proposal(tenant, "loyalty", "silver")
        await assignment.apply(customer, "loyalty", "silver")
        await until(lambda a: evaluation(a, "loyalty")["current"] == "silver", assignment, customer)
        seen = len(outputs.of(topics.PROPOSALS, tenant))
        left = arrival + timedelta(days=11)  # the first day the stay is out of the window
        for day in (left, quarter - timedelta(days=1)):
            swept = await sweep(day)
            assert swept["proposed"] == 0, (day, swept)
        held = evaluation(await assignment.activity(customer), "loyalty")
        assert (held["target"], held["explanation"]["rule"]) == ("silver", "downgrade_policy")
        assert held["explanation"]["keep"]["until"] == str(quarter - timedelta(days=1))
        assert len(outputs.of(topics.PROPOSALS, tenant)) == seen

        assert (await sweep(quarter))["proposed"] == 1  # the quarter ended: down
        _, proposal = await outputs.proposal(tenant, "loyalty", "bronze", after=seen)
        assert proposal.data.explanation.rule == "default"
    finally:
        clock.offset = timedelta()
