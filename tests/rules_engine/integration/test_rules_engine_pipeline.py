"""The rules engine through the real broker and database: activity in, proposals and outliers out.

Configuration arrives on `customer-status.config.v1`; the assignment service is simulated by
publishing `StatusChanged` events on `customer-status.changes.v1`.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from rules_support import (
    FIRST_SEQUENCE,
    NOW,
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
from cstatus.contracts.configuration import CountRule, FirstActivityRule, VelocityRule
from cstatus.contracts.reservations import ReservationBooked, ReservationCancelled
from cstatus.contracts.transactions import (
    PointsRedeemed,
    TransactionCompleted,
    TransactionRefunded,
)

pytestmark = pytest.mark.integration


async def _no_other(outputs: Any, tenant: str, category: str, targets: list[str]) -> None:
    """Let the relay publish what the last batch wrote, then check no other target came."""
    await asyncio.sleep(1.0)
    assert outputs.targets(tenant, category) == targets


async def test_lead_becomes_client_on_a_first_booking_and_stays_after_cancelling(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant, customer = new_tenant(), "cust-1"
    assignment = Assignment(publish, engine, tenant)
    arrival = TODAY + timedelta(days=30)
    booked = event(ReservationBooked(reservation_id="r-1", arrival_date=arrival), tenant, customer)
    await publish(topics.BOOKINGS_RESERVATIONS, booked)
    await publish(topics.BOOKINGS_RESERVATIONS, booked)  # a duplicate changes nothing
    await until(lambda a: a.get("facts", {}).get("events") == 1, assignment, customer)

    client_rule = FirstActivityRule(triggers=("reservation.booked", "transaction.completed"))
    relationship = config(
        tenant,
        "relationship",
        status("lead", 0, default=True),
        status("client", 10, rule=client_rule),
    )
    await publish(topics.CONFIG, relationship)  # configuration after the events: evaluated then

    _, proposal = await outputs.proposal(tenant, "relationship", "client")
    assert proposal.subject == customer
    assert proposal.data.explanation.rule == "first_activity"
    assert proposal.data.explanation.event_ids == (booked.id,)
    # The decision names the configuration version it used (SPEC 1.9), in its explanation too.
    assert proposal.data.explanation.config_version == proposal.data.config_version
    assert proposal.data.config_version == relationship.data.version

    await assignment.apply(customer, "relationship", "client")
    cancelled = event(ReservationCancelled(reservation_id="r-1"), tenant, customer)
    await publish(topics.BOOKINGS_RESERVATIONS, cancelled)
    activity = await until(
        lambda a: a["facts"]["reservations_cancelled"] == 1, assignment, customer
    )
    found = evaluation(activity, "relationship")
    assert (found["target"], found["changes"]) == ("client", False)
    await _no_other(outputs, tenant, "relationship", ["client"])


async def test_loyalty_tiers_rise_with_reservations_and_fall_after_a_later_sweep(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, clock: Any
) -> None:
    tenant, customer = new_tenant(), "cust-2"
    assignment = Assignment(publish, engine, tenant)
    loyalty = config(
        tenant,
        "loyalty",
        status("member", 0, default=True),
        status("bronze", 1, rule=CountRule(metric="reservations", min=1, max=2, window_days=365)),
        status("silver", 2, rule=CountRule(metric="reservations", min=3, window_days=365)),
    )
    await publish(topics.CONFIG, loyalty)
    for n, days_ago in enumerate((10, 5, 1), start=1):
        data = ReservationBooked(
            reservation_id=f"r-{n}", arrival_date=TODAY - timedelta(days=days_ago)
        )
        await publish(topics.BOOKINGS_RESERVATIONS, event(data, tenant, customer))
        await until(
            lambda a, n=n: a.get("facts", {}).get("reservations") == n, assignment, customer
        )
        if n != 2:  # the second reservation keeps bronze: nothing to propose
            target = "bronze" if n == 1 else "silver"
            _, proposal = await outputs.proposal(tenant, "loyalty", target)
            await assignment.apply(customer, "loyalty", target)
    assert outputs.targets(tenant, "loyalty") == ["bronze", "silver"]
    assert proposal.data.explanation.value == 3
    assert proposal.data.based_on_sequence == FIRST_SEQUENCE

    admin = token(tenant)
    seen = len(outputs.of(topics.PROPOSALS, tenant))
    try:
        # 361 days on, the reservations of 10 and 5 days ago have left the 365-day window
        clock.offset = timedelta(days=361)
        swept = await engine.post("/v1/sweeps", json={}, headers=admin)
        assert swept.status_code == 200, swept.text
        assert swept.json()["as_of"] == str(TODAY + timedelta(days=361))
        assert swept.json()["candidates"] == 1
        _, proposal = await outputs.proposal(tenant, "loyalty", "bronze", after=seen)
        assert proposal.data.explanation.value == 1
        await assignment.apply(customer, "loyalty", "bronze")

        clock.offset = timedelta(days=400)  # a jump of many days at once
        swept = await engine.post("/v1/sweeps", json={}, headers=admin)
        assert swept.json()["since"] == str(TODAY + timedelta(days=361))
        _, proposal = await outputs.proposal(tenant, "loyalty", "member", after=seen)
        assert proposal.data.explanation.rule == "default"
    finally:
        clock.offset = timedelta()
    assert outputs.targets(tenant, "loyalty") == ["bronze", "silver", "bronze", "member"]


async def test_a_velocity_burst_makes_a_sticky_fraud_suspicion(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant, customer = new_tenant(), "cust-3"
    assignment = Assignment(publish, engine, tenant)
    burst = VelocityRule(metric="transactions", threshold=20, window_minutes=60)
    lifecycle = config(
        tenant,
        "lifecycle",
        status("active", 0, default=True, state="active"),
        status("fraud", 50, rule=burst, sticky=True, state="fraud_suspected"),
    )
    await publish(topics.CONFIG, lifecycle)
    await assignment.apply(customer, "lifecycle", "active", source="system", state="active")
    start = NOW - timedelta(minutes=30)
    for i in range(21):
        sale = TransactionCompleted(
            transaction_id=f"tx-{i}", amount=Decimal("9.90"), currency="EUR"
        )
        at = start + timedelta(seconds=10 * i)
        await publish(topics.POS_TRANSACTIONS, event(sale, tenant, customer, at))

    _, proposal = await outputs.proposal(tenant, "lifecycle", "fraud")
    assert proposal.data.explanation.rule == "velocity"
    assert proposal.data.explanation.value == 21
    assert len(proposal.data.explanation.event_ids) == 21
    await assignment.apply(customer, "lifecycle", "fraud", state="fraud_suspected")

    for i in range(21):  # the burst is refunded: the suspicion stays all the same
        refund = TransactionRefunded(transaction_id=f"tx-{i}", amount=Decimal("9.90"))
        await publish(topics.POS_TRANSACTIONS, event(refund, tenant, customer))
    activity = await until(lambda a: a["facts"]["transactions"] == 0, assignment, customer)
    assert evaluation(activity, "lifecycle")["automation"].startswith("leaves it")
    system = token(tenant, "status:system")
    swept = await engine.post("/v1/sweeps", json={}, headers=system)
    assert swept.status_code == 200
    await _no_other(outputs, tenant, "lifecycle", ["fraud"])


async def test_transactions_of_a_suspended_customer_are_outliers(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant = new_tenant()
    assignment = Assignment(publish, engine, tenant)
    lifecycle = config(
        tenant,
        "lifecycle",
        status("active", 0, default=True, state="active"),
        status("on-hold", 5, state="suspended"),
    )
    await publish(topics.CONFIG, lifecycle)
    await assignment.apply("cust-4", "lifecycle", "on-hold", source="manual", state="suspended")
    await assignment.apply("cust-5", "lifecycle", "active", source="system", state="active")
    for customer, ref in (("cust-5", "tx-fine"), ("cust-4", "tx-odd")):
        sale = TransactionCompleted(transaction_id=ref, amount=Decimal("120"), currency="EUR")
        await publish(topics.POS_TRANSACTIONS, event(sale, tenant, customer))

    [outlier] = await outputs.wait(topics.OUTLIERS, tenant, 1)
    assert outlier.subject == "cust-4"
    assert outlier.data.transaction_id == "tx-odd"
    assert outlier.data.status_code == "on-hold"
    assert "suspended" in outlier.data.reason
    await asyncio.sleep(0.5)
    assert len(outputs.of(topics.OUTLIERS, tenant)) == 1


async def test_the_activity_summary_keeps_currencies_apart_and_lists_outliers(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    """Issue 14 (SuiteSpot's "Info"): transactions, average spend per currency, last visit,
    points earned / redeemed / balance, and the customer's outlier transactions."""
    tenant, customer = new_tenant(), "cust-7"
    assignment = Assignment(publish, engine, tenant)
    lifecycle = config(
        tenant,
        "lifecycle",
        status("active", 0, default=True, state="active"),
        status("on-hold", 5, state="suspended"),
    )
    await publish(topics.CONFIG, lifecycle)
    sales = [
        ("tx-1", "100.00", "EUR", 10, NOW - timedelta(days=3)),
        ("tx-2", "50.00", "EUR", 5, NOW - timedelta(days=2)),
        ("tx-3", "30.00", "USD", None, NOW - timedelta(days=1)),
    ]
    for ref, amount, currency, points, at in sales:
        sale = TransactionCompleted(
            transaction_id=ref, amount=Decimal(amount), currency=currency, points_earned=points
        )
        await publish(topics.POS_TRANSACTIONS, event(sale, tenant, customer, at))
    duplicate = TransactionCompleted(
        transaction_id="tx-1", amount=Decimal("100.00"), currency="EUR", points_earned=10
    )
    await publish(topics.POS_TRANSACTIONS, event(duplicate, tenant, customer, NOW))
    refund = TransactionRefunded(transaction_id="tx-2", amount=Decimal("20.00"))
    await publish(topics.POS_TRANSACTIONS, event(refund, tenant, customer, NOW))
    redeemed = PointsRedeemed(redemption_id="red-1", points=4)
    await publish(topics.POS_TRANSACTIONS, event(redeemed, tenant, customer, NOW))
    # The status change comes on another topic: let the sales above be recorded first.
    await until(
        lambda a: (
            a.get("summary", {}).get("points_redeemed") == 4
            and a["summary"]["transactions"] == 3
            and a["summary"]["spend"][0]["spend"] == "130.00"
        ),
        assignment,
        customer,
    )
    await assignment.apply(customer, "lifecycle", "on-hold", source="manual", state="suspended")
    odd = TransactionCompleted(transaction_id="tx-odd", amount=Decimal("5.00"), currency="USD")
    await publish(topics.POS_TRANSACTIONS, event(odd, tenant, customer, NOW))
    await outputs.wait(topics.OUTLIERS, tenant, 1)

    activity = await until(lambda a: a.get("summary", {}).get("outliers"), assignment, customer)
    summary = activity["summary"]
    assert summary["spend"] == [
        {"currency": "EUR", "transactions": 2, "spend": "130.00", "average_spend": "65.00"},
        {"currency": "USD", "transactions": 2, "spend": "35.00", "average_spend": "17.50"},
    ]
    assert summary["transactions"] == 4
    assert (summary["points_earned"], summary["points_redeemed"], summary["points_balance"]) == (
        15,
        4,
        11,
    )
    assert summary["last_visit"] is not None
    [outlier] = summary["outliers"]
    assert (outlier["transaction_id"], outlier["status_code"]) == ("tx-odd", "on-hold")
    assert "suspended" in outlier["reason"]


async def test_the_http_api_checks_roles_and_answers_problems(engine: httpx.AsyncClient) -> None:
    tenant = new_tenant()
    denied = await engine.post("/v1/sweeps", json={}, headers=token(tenant, "status:viewer"))
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    unknown = await engine.get(
        "/v1/customers/nobody/activity", headers=token(tenant, "status:agent")
    )
    assert unknown.status_code == 404
    bad = await engine.post("/v1/sweeps", json={"as_of": "tomorrow"}, headers=token(tenant))
    assert bad.status_code == 422
    nothing = await engine.post("/v1/sweeps", json={}, headers=token(tenant))
    assert nothing.json()["candidates"] == 0
    assert isinstance(date.fromisoformat(nothing.json()["as_of"]), date)
