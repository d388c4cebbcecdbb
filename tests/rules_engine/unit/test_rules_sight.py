"""What the rules can see (domain/sight.py): a decision on the visible part of a customer's history
equals the decision on the whole of it, for every rule kind, whatever the history (late
modifications, cancellations before bookings, refunds, future dates); velocity seen around anchors
never matches where the whole history does not, and matches wherever a window holds an anchor."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstatus.rules_engine.domain.evaluate import evaluate, matches, rules_read
from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    Current,
    FirstActivityRule,
    InactivityRule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.sight import (
    needs_whole_history,
    sight_of,
    sight_of_rules,
    visible,
)
from cstatus.rules_engine.domain.velocity import points_by_metric

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
TODAY = NOW.date()
KINDS = [
    "reservation.booked",
    "reservation.cancelled",
    "reservation.arrived",
    "transaction.completed",
    "transaction.refunded",
    "payment.captured",
    "payment.refunded",
    "invoice.issued",
    "invoice.cancelled",
    "points.redeemed",
    "coupon.redeemed",
]


@st.composite
def histories(draw: st.DrawFn) -> list[ActivityEvent]:
    events: list[ActivityEvent] = []
    for n in range(draw(st.integers(0, 14))):
        kind = draw(st.sampled_from(KINDS))
        minutes = draw(st.one_of(st.integers(-600, 600), st.integers(-60 * 24 * 40, 60 * 24 * 500)))
        events.append(
            ActivityEvent(
                f"e{n}",
                kind,
                NOW - timedelta(minutes=minutes),
                f"r{draw(st.integers(0, 4))}",
                amount=Decimal(draw(st.integers(0, 60))),
                points=draw(st.integers(0, 100)),
                arrival_date=(
                    TODAY - timedelta(days=draw(st.integers(-30, 450)))
                    if kind == "reservation.booked"
                    else None
                ),
            )
        )
    return events


@st.composite
def counting_categories(draw: st.DrawFn) -> Category:
    window = st.one_of(st.none(), st.integers(0, 400))
    metric = st.sampled_from(
        ["reservations", "transactions", "payments", "invoices", "spend", "points_redeemed"]
    )
    rules = [
        CountRule(
            draw(metric),
            draw(st.integers(0, 3)),
            draw(st.one_of(st.none(), st.integers(3, 6))),
            draw(window),
        ),
        FirstActivityRule(
            frozenset(draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3)))
        ),
        InactivityRule(draw(st.integers(0, 60))),
        CountRule(draw(metric), draw(st.integers(1, 4)), None, draw(window)),
    ]
    chosen = draw(st.lists(st.sampled_from(rules), min_size=1, max_size=3, unique=True))
    statuses = [Status("base", is_default=True)] + [
        Status(f"s{i}", i + 1, rule=rule) for i, rule in enumerate(chosen)
    ]
    return Category("c", tuple(statuses))


@settings(max_examples=300, deadline=None)
@given(
    events=histories(),
    category=counting_categories(),
    held=st.sampled_from([None, "base", "s0", "s1"]),
    entered_by=st.sampled_from([None, "first_activity", "count"]),
)
def test_a_decision_on_what_the_rules_see_equals_the_one_on_the_whole_history(
    events: list[ActivityEvent], category: Category, held: str | None, entered_by: str | None
) -> None:
    current = Current(held, entered_by=entered_by)
    whole = evaluate(category, fold(events), current, NOW)
    facts, _ = visible(events, sight_of([category], NOW))
    assert evaluate(category, facts, current, NOW) == whole
    read, _ = visible(events, sight_of_rules(rules_read(category, current, NOW), NOW))
    assert evaluate(category, read, current, NOW) == whole


VELOCITY = Category(
    "lifecycle",
    (
        Status("active", is_default=True),
        Status("fraud", 2, sticky=False, rule=VelocityRule("transactions", 2, 30)),
        Status("big", 1, rule=VelocityRule("spend", 60, 90)),
    ),
)


@settings(max_examples=300, deadline=None)
@given(events=histories(), data=st.data())
def test_velocity_around_anchors_never_invents_a_match_and_finds_every_anchored_one(
    events: list[ActivityEvent], data: st.DataObject
) -> None:
    sales = sorted({e.ref for e in events if e.type.startswith("transaction.")})
    anchors = data.draw(st.lists(st.sampled_from(sales), unique=True)) if sales else []
    sight = sight_of([VELOCITY], NOW)
    facts, kept = visible(events, sight, anchors)
    whole_facts = fold(events)
    whole_points = points_by_metric(["transactions", "spend"], events)
    points = points_by_metric(["transactions", "spend"], kept)
    for status in VELOCITY.statuses[1:]:
        assert status.rule is not None
        seen, _ = matches(status.rule, facts, NOW, points)
        whole, _ = matches(status.rule, whole_facts, NOW, whole_points)
        assert not seen or whole
    if set(anchors) == set(sales):  # every sale anchored: nothing is out of sight
        for status in VELOCITY.statuses[1:]:
            assert status.rule is not None
            assert matches(status.rule, facts, NOW, points) == matches(
                status.rule, whole_facts, NOW, whole_points
            )


def test_a_velocity_status_held_or_changed_is_decided_on_the_whole_history() -> None:
    assert needs_whole_history(VELOCITY, "fraud", changed=False)
    assert needs_whole_history(VELOCITY, "active", changed=True)
    assert not needs_whole_history(VELOCITY, "active", changed=False)
    counting = Category("loyalty", (Status("gold", 1, rule=CountRule("reservations", 3)),))
    assert not needs_whole_history(counting, "gold", changed=True)


def test_the_sight_of_windowed_rules_excludes_what_they_can_no_longer_see() -> None:
    loyalty = Category(
        "loyalty",
        (
            Status("basic", is_default=True),
            Status("silver", 1, rule=CountRule("reservations", 1, None, 365)),
            Status("spender", 2, rule=CountRule("spend", 100, None, 30)),
        ),
    )
    old_stay = ActivityEvent("b1", "reservation.booked", NOW, "old", arrival_date=date(2025, 1, 2))
    next_stay = ActivityEvent(
        "b2", "reservation.booked", NOW, "next", arrival_date=TODAY + timedelta(9)
    )
    stay = ActivityEvent("b3", "reservation.booked", NOW, "stay", arrival_date=TODAY - timedelta(9))
    old_sale = ActivityEvent(
        "t1", "transaction.completed", NOW - timedelta(days=40), "s1", Decimal(5)
    )
    sale = ActivityEvent("t2", "transaction.completed", NOW - timedelta(days=2), "s2", Decimal(5))
    refund = ActivityEvent("t3", "transaction.refunded", NOW, "s2", Decimal(1))
    facts, kept = visible(
        [old_stay, next_stay, stay, old_sale, sale, refund], sight_of([loyalty], NOW)
    )
    assert sorted(e.event_id for e in kept) == ["b3", "t2", "t3"]
    assert facts.transactions["s2"].net == Decimal(4)
