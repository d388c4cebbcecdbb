"""The rules engine through the real broker and database: activity in, proposals and outliers out.

Configuration arrives on `customer-status.config.v1`; the assignment service is simulated by
publishing `StatusChanged` events on `customer-status.changes.v1`.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from cstatus.contracts import topics
from cstatus.contracts.changes import Explanation, StatusChanged, StatusRef
from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    CountRule,
    FirstActivityRule,
    Rule,
    StatusConfig,
    TenantConfiguration,
    VelocityRule,
)
from cstatus.contracts.envelope import CloudEvent, EventData, new_event
from cstatus.contracts.fields import SystemState
from cstatus.contracts.reservations import ReservationBooked, ReservationCancelled
from cstatus.contracts.transactions import TransactionCompleted, TransactionRefunded
from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
FIRST_SEQUENCE = 1000
"""Our simulated changes start here, so changes another suite's in-process assignment service may
publish for our tenant (sequence 1, 2, …) are stale to the engine."""
TODAY = NOW.date()


def _tenant() -> str:
    return f"re-{uuid.uuid4().hex[:10]}"


def _event(data: EventData, tenant: str, customer: str, at: datetime = NOW) -> CloudEvent[Any]:
    return new_event(
        data, id=uuid.uuid4().hex, source="test", tenant=tenant, subject=customer, time=at
    )


def _status(
    code: str,
    priority: int = 0,
    *,
    default: bool = False,
    rule: Rule | None = None,
    sticky: bool = False,
    state: SystemState | None = None,
) -> StatusConfig:
    return StatusConfig(
        id=code,
        code=code,
        name=code.title(),
        colour="#336699",
        priority=priority,
        is_default=default,
        sticky=sticky,
        system_state=state,
        rule=rule,
    )


def _config(tenant: str, code: str, *statuses: StatusConfig) -> CloudEvent[Any]:
    category = CategoryConfig(
        id=code,
        code=code,
        name=code.title(),
        update_mode="automatic",
        manual_override_allowed=True,
        statuses=statuses,
    )
    data = ConfigPublished(
        tenant=tenant, version=1, config=TenantConfiguration(categories=(category,))
    )
    return _event(data, tenant, tenant)


def _token(tenant: str, role: str = "status:admin") -> dict[str, str]:
    return {
        "Authorization": f"Bearer {issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=[role])}"
    }


class Assignment:
    """Simulates the assignment service: applies a status and waits until the engine knows it."""

    def __init__(self, publish: Any, engine: httpx.AsyncClient, tenant: str) -> None:
        self._publish, self._engine, self._tenant = publish, engine, tenant
        self._sequence: dict[tuple[str, str], int] = {}

    async def apply(
        self,
        customer: str,
        category: str,
        code: str,
        *,
        source: str = "automatic",
        state: SystemState | None = None,
    ) -> None:
        key = (customer, category)
        self._sequence[key] = self._sequence.get(key, FIRST_SEQUENCE - 1) + 1
        change = StatusChanged(
            change_id=uuid.uuid4().hex,
            category_code=category,
            from_=None,
            to=StatusRef(code=code, name=code.title(), system_state=state),
            source=source,  # type: ignore[arg-type]
            actor="assignment",
            explanation=Explanation(rule="test"),
            effective_at=NOW,
            sequence=self._sequence[key],
            exclude_from_reports=False,
        )
        await self._publish(topics.STATUS_CHANGES, _event(change, self._tenant, customer))
        await until(lambda a: _evaluation(a, category)["current"] == code, self, customer)

    async def activity(self, customer: str) -> dict[str, Any]:
        response = await self._engine.get(
            f"/v1/customers/{customer}/activity", headers=_token(self._tenant, "status:viewer")
        )
        return response.json() if response.status_code == 200 else {}


def _evaluation(activity: dict[str, Any], category: str) -> dict[str, Any]:
    found = [e for e in activity.get("evaluations", []) if e["category_code"] == category]
    return found[0] if found else {"current": None}


async def until(predicate: Any, assignment: Assignment, customer: str) -> dict[str, Any]:
    """Poll the activity endpoint until `predicate(activity)` holds (bounded)."""
    async with asyncio.timeout(30):
        while not predicate(activity := await assignment.activity(customer)):
            await asyncio.sleep(0.05)
    return activity


async def _no_other(outputs: Any, tenant: str, category: str, targets: list[str]) -> None:
    """Let the relay publish what the last batch wrote, then check no other target came."""
    await asyncio.sleep(1.0)
    assert outputs.targets(tenant, category) == targets


async def test_lead_becomes_client_on_a_first_booking_and_stays_after_cancelling(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant, customer = _tenant(), "cust-1"
    assignment = Assignment(publish, engine, tenant)
    arrival = TODAY + timedelta(days=30)
    booked = _event(ReservationBooked(reservation_id="r-1", arrival_date=arrival), tenant, customer)
    await publish(topics.BOOKINGS_RESERVATIONS, booked)
    await publish(topics.BOOKINGS_RESERVATIONS, booked)  # a duplicate changes nothing
    await until(lambda a: a.get("facts", {}).get("events") == 1, assignment, customer)

    client_rule = FirstActivityRule(triggers=("reservation.booked", "transaction.completed"))
    relationship = _config(
        tenant,
        "relationship",
        _status("lead", 0, default=True),
        _status("client", 10, rule=client_rule),
    )
    await publish(topics.CONFIG, relationship)  # configuration after the events: evaluated then

    _, proposal = await outputs.proposal(tenant, "relationship", "client")
    assert proposal.subject == customer
    assert proposal.data.explanation.rule == "first_activity"
    assert proposal.data.explanation.event_ids == (booked.id,)

    await assignment.apply(customer, "relationship", "client")
    cancelled = _event(ReservationCancelled(reservation_id="r-1"), tenant, customer)
    await publish(topics.BOOKINGS_RESERVATIONS, cancelled)
    activity = await until(
        lambda a: a["facts"]["reservations_cancelled"] == 1, assignment, customer
    )
    evaluation = _evaluation(activity, "relationship")
    assert (evaluation["target"], evaluation["changes"]) == ("client", False)
    await _no_other(outputs, tenant, "relationship", ["client"])


async def test_loyalty_tiers_rise_with_reservations_and_fall_after_a_later_sweep(
    engine: httpx.AsyncClient, publish: Any, outputs: Any, clock: Any
) -> None:
    tenant, customer = _tenant(), "cust-2"
    assignment = Assignment(publish, engine, tenant)
    loyalty = _config(
        tenant,
        "loyalty",
        _status("member", 0, default=True),
        _status("bronze", 1, rule=CountRule(metric="reservations", min=1, max=2, window_days=365)),
        _status("silver", 2, rule=CountRule(metric="reservations", min=3, window_days=365)),
    )
    await publish(topics.CONFIG, loyalty)
    for n, days_ago in enumerate((10, 5, 1), start=1):
        data = ReservationBooked(
            reservation_id=f"r-{n}", arrival_date=TODAY - timedelta(days=days_ago)
        )
        await publish(topics.BOOKINGS_RESERVATIONS, _event(data, tenant, customer))
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

    admin = _token(tenant)
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
    tenant, customer = _tenant(), "cust-3"
    assignment = Assignment(publish, engine, tenant)
    burst = VelocityRule(metric="transactions", threshold=20, window_minutes=60)
    lifecycle = _config(
        tenant,
        "lifecycle",
        _status("active", 0, default=True, state="active"),
        _status("fraud", 50, rule=burst, sticky=True, state="fraud_suspected"),
    )
    await publish(topics.CONFIG, lifecycle)
    await assignment.apply(customer, "lifecycle", "active", source="system", state="active")
    start = NOW - timedelta(minutes=30)
    for i in range(21):
        sale = TransactionCompleted(
            transaction_id=f"tx-{i}", amount=Decimal("9.90"), currency="EUR"
        )
        at = start + timedelta(seconds=10 * i)
        await publish(topics.POS_TRANSACTIONS, _event(sale, tenant, customer, at))

    _, proposal = await outputs.proposal(tenant, "lifecycle", "fraud")
    assert proposal.data.explanation.rule == "velocity"
    assert proposal.data.explanation.value == 21
    assert len(proposal.data.explanation.event_ids) == 21
    await assignment.apply(customer, "lifecycle", "fraud", state="fraud_suspected")

    for i in range(21):  # the burst is refunded: the suspicion stays all the same
        refund = TransactionRefunded(transaction_id=f"tx-{i}", amount=Decimal("9.90"))
        await publish(topics.POS_TRANSACTIONS, _event(refund, tenant, customer))
    activity = await until(lambda a: a["facts"]["transactions"] == 0, assignment, customer)
    assert _evaluation(activity, "lifecycle")["automation"].startswith("leaves it")
    system = _token(tenant, "status:system")
    swept = await engine.post("/v1/sweeps", json={}, headers=system)
    assert swept.status_code == 200
    await _no_other(outputs, tenant, "lifecycle", ["fraud"])


async def test_transactions_of_a_suspended_customer_are_outliers(
    engine: httpx.AsyncClient, publish: Any, outputs: Any
) -> None:
    tenant = _tenant()
    assignment = Assignment(publish, engine, tenant)
    lifecycle = _config(
        tenant,
        "lifecycle",
        _status("active", 0, default=True, state="active"),
        _status("on-hold", 5, state="suspended"),
    )
    await publish(topics.CONFIG, lifecycle)
    await assignment.apply("cust-4", "lifecycle", "on-hold", source="manual", state="suspended")
    await assignment.apply("cust-5", "lifecycle", "active", source="system", state="active")
    for customer, ref in (("cust-5", "tx-fine"), ("cust-4", "tx-odd")):
        sale = TransactionCompleted(transaction_id=ref, amount=Decimal("120"), currency="EUR")
        await publish(topics.POS_TRANSACTIONS, _event(sale, tenant, customer))

    [outlier] = await outputs.wait(topics.OUTLIERS, tenant, 1)
    assert outlier.subject == "cust-4"
    assert outlier.data.transaction_id == "tx-odd"
    assert outlier.data.status_code == "on-hold"
    assert "suspended" in outlier.data.reason
    await asyncio.sleep(0.5)
    assert len(outputs.of(topics.OUTLIERS, tenant)) == 1


async def test_the_http_api_checks_roles_and_answers_problems(engine: httpx.AsyncClient) -> None:
    tenant = _tenant()
    denied = await engine.post("/v1/sweeps", json={}, headers=_token(tenant, "status:viewer"))
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    unknown = await engine.get(
        "/v1/customers/nobody/activity", headers=_token(tenant, "status:agent")
    )
    assert unknown.status_code == 404
    bad = await engine.post("/v1/sweeps", json={"as_of": "tomorrow"}, headers=_token(tenant))
    assert bad.status_code == 422
    nothing = await engine.post("/v1/sweeps", json={}, headers=_token(tenant))
    assert nothing.json()["candidates"] == 0
    assert isinstance(date.fromisoformat(nothing.json()["as_of"]), date)
