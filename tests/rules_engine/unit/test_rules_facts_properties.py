"""Any permutation and duplication of one customer's events gives the same facts and decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstatus.rules_engine.domain.evaluate import evaluate
from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Status, VelocityRule

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, tzinfo=UTC)

CATEGORIES = (
    Category(
        "loyalty",
        (
            Status("none", is_default=True),
            Status("silver", 1, rule=CountRule("reservations", 2, None, 365)),
        ),
    ),
    Category(
        "spend",
        (Status("low", is_default=True), Status("high", 1, rule=CountRule("spend", 50, None, 30))),
    ),
    Category(
        "speed",
        (
            Status("calm", is_default=True),
            Status("fast", 1, rule=VelocityRule("transactions", 2, 60)),
        ),
    ),
)


@st.composite
def histories(draw: st.DrawFn) -> list[ActivityEvent]:
    events: list[ActivityEvent] = []
    for n in range(draw(st.integers(0, 8))):
        ref = f"r{draw(st.integers(0, 3))}"
        at = NOW - timedelta(minutes=draw(st.integers(0, 60 * 24 * 40)))
        kind = draw(
            st.sampled_from(
                [
                    "reservation.booked",
                    "reservation.cancelled",
                    "transaction.completed",
                    "transaction.refunded",
                    "points.redeemed",
                ]
            )
        )
        events.append(
            ActivityEvent(
                f"e{n}",
                kind,
                at,
                ref,
                amount=Decimal(draw(st.integers(1, 60))),
                points=draw(st.integers(0, 100)),
                arrival_date=date(2026, 11, 22) - timedelta(days=draw(st.integers(-10, 400))),
            )
        )
    return events


@settings(max_examples=200, deadline=None)
@given(events=histories(), data=st.data())
def test_order_and_duplicates_do_not_change_facts_or_decisions(
    events: list[ActivityEvent], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(events))
    duplicated = (
        shuffled + data.draw(st.lists(st.sampled_from(events), max_size=5)) if events else []
    )
    ordered, other = fold(events), fold(duplicated)
    assert ordered == other
    for category in CATEGORIES:
        assert evaluate(category, ordered, Current(None), NOW) == evaluate(
            category, other, Current(None), NOW
        )
