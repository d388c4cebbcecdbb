"""Velocity from given points: the same decision as from the facts, whatever the order, with
refunds settled by the facts; changed categories are found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.measure import velocity_peak
from cstatus.rules_engine.domain.model import Category, CountRule, Status, VelocityRule
from cstatus.rules_engine.domain.tenant import TenantRules, changed_categories
from cstatus.rules_engine.domain.velocity import VelocityPoint, points_by_metric, points_of

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def sale(n: int, at: datetime, amount: str = "10", ref: str | None = None) -> ActivityEvent:
    return ActivityEvent(f"t{n}", "transaction.completed", at, ref or f"x{n}", Decimal(amount))


@st.composite
def histories(draw: st.DrawFn) -> list[ActivityEvent]:
    kinds = ["transaction.completed", "transaction.refunded", "points.redeemed"]
    return [
        ActivityEvent(
            f"e{n}",
            draw(st.sampled_from(kinds)),
            NOW - timedelta(minutes=draw(st.integers(-30, 600))),
            f"r{draw(st.integers(0, 5))}",
            amount=Decimal(draw(st.integers(1, 40))),
            points=draw(st.integers(0, 50)),
        )
        for n in range(draw(st.integers(0, 12)))
    ]


@settings(max_examples=200, deadline=None)
@given(events=histories(), data=st.data())
def test_points_in_any_order_measure_what_the_facts_measure(
    events: list[ActivityEvent], data: st.DataObject
) -> None:
    facts = fold(events)
    shuffled = data.draw(st.permutations(events))
    for metric in ("transactions", "spend", "points_redeemed"):
        rule = VelocityRule(metric, 2, data.draw(st.integers(1, 120)))  # type: ignore[arg-type]
        points = points_of(shuffled, metric)
        assert velocity_peak(rule, facts, NOW, points) == velocity_peak(rule, facts, NOW)


def test_a_refunded_sale_does_not_count_and_spend_counts_the_net() -> None:
    events = [sale(n, NOW - timedelta(minutes=n)) for n in range(3)]
    events.append(ActivityEvent("r", "transaction.refunded", NOW, "x0", Decimal("10")))
    events.append(ActivityEvent("p", "transaction.refunded", NOW, "x1", Decimal("4")))
    facts = fold(events)
    points = points_of(events, "spend")
    count = velocity_peak(VelocityRule("transactions", 1, 60), facts, NOW, points)
    spend = velocity_peak(VelocityRule("spend", 1, 60), facts, NOW, points)
    assert (count.value, spend.value) == (2, Decimal("16"))


def test_points_the_facts_do_not_know_are_ignored() -> None:
    facts = fold([sale(1, NOW)])
    phantom = VelocityPoint(NOW, "x9", "t9", Decimal(10))
    measure = velocity_peak(
        VelocityRule("transactions", 1, 60),
        facts,
        NOW,
        [*points_of([sale(1, NOW)], "spend"), phantom],
    )
    assert measure.event_ids == ("t1",)


def test_changed_categories_are_new_ones_and_those_whose_rules_or_statuses_changed() -> None:
    def spend(minimum: int, *extra: Status) -> Category:
        return Category(
            "spend",
            (
                Status("low", is_default=True),
                Status("high", 1, rule=CountRule("spend", minimum)),
                *extra,
            ),
        )

    speed = Category("speed", (Status("calm", is_default=True),))
    v1 = TenantRules(1, (spend(100), speed))
    assert changed_categories(None, v1) == ["speed", "spend"]
    assert changed_categories(v1, TenantRules(2, (speed, spend(100)))) == []
    assert changed_categories(v1, TenantRules(2, (spend(50), speed))) == ["spend"]
    assert changed_categories(v1, TenantRules(2, (spend(100, Status("top", 2)), speed))) == [
        "spend"
    ]
    velocity = Status("fast", 1, rule=VelocityRule("spend", 5, 30))
    assert TenantRules(3, (spend(1, velocity),)).velocity_windows == {"spend": 30}


def test_a_burst_published_after_a_newer_sale_still_matches() -> None:
    """Order independence (SPEC §2): found by the reliability suite. A fraud burst three days old,
    consumed after a sale of an hour ago, used to be cut off by the window of the newest point."""
    rule = VelocityRule("transactions", 20, 60)
    rules = TenantRules(1, (Category("lifecycle", (Status("fraud", 1, rule=rule),)),))
    burst = [sale(n, NOW - timedelta(days=3, minutes=2 * n)) for n in range(25)]
    events = [sale(99, NOW - timedelta(hours=1)), *burst]
    points = points_by_metric(rules.velocity_windows, events)["transactions"]
    assert velocity_peak(rule, fold(events), NOW, points).value == 25
