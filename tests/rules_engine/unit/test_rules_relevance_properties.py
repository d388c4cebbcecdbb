"""The shortcuts that skip work never skip a change of outcome (issue 17): an event of a type
that `TenantRules.moved_by` does not name for a category leaves that category's decision as it
was, and a history cut down to the kinds `types_read` names decides exactly as the whole one
(the preview reads only those)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cstatus.rules_engine.domain.evaluate import evaluate
from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.metrics import ANY_RESERVATION
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    Current,
    FirstActivityRule,
    InactivityRule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.relevance import kinds_of, types_read
from cstatus.rules_engine.domain.tenant import TenantRules
from cstatus.rules_engine.domain.velocity import points_by_metric

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)
TODAY = NOW.date()

TYPES = [
    "reservation.booked",
    "reservation.cancelled",
    "reservation.arrived",
    "reservation.no_show",
    "transaction.completed",
    "transaction.refunded",
    "payment.captured",
    "payment.refunded",
    "invoice.issued",
    "invoice.cancelled",
    "points.redeemed",
    "coupon.redeemed",
]


def _two(code: str, rule: object) -> Category:
    return Category(
        code,
        (
            Status(f"{code}-low", is_default=True),
            Status(f"{code}-high", 1, rule=rule),  # type: ignore[arg-type]
        ),
    )


CATEGORIES = (
    _two("stays", CountRule("reservations", 2, None, 365)),
    _two("sales", CountRule("transactions", 2, None, 30)),
    _two("spend", CountRule("spend", 50, None, 30)),
    _two("paid", CountRule("payments", 1, None, 90)),
    _two("billed", CountRule("invoices", 1, None, 90)),
    _two("points", CountRule("points_redeemed", 50, None, 30)),
    _two("first", FirstActivityRule(frozenset({"reservation.booked", "payment.captured"}))),
    _two("speed", VelocityRule("transactions", 2, 60)),
    _two("idle", InactivityRule(20)),
)
RULES = TenantRules(1, CATEGORIES)


@st.composite
def events(draw: st.DrawFn, count: int) -> list[ActivityEvent]:
    found: list[ActivityEvent] = []
    for n in range(count):
        found.append(
            ActivityEvent(
                f"e{draw(st.integers(0, 10_000))}-{n}",
                draw(st.sampled_from(TYPES)),
                NOW - timedelta(minutes=draw(st.integers(0, 60 * 24 * 120))),
                f"r{draw(st.integers(0, 4))}",
                amount=Decimal(draw(st.integers(0, 60))),
                points=draw(st.integers(0, 60)),
                arrival_date=TODAY - timedelta(days=draw(st.integers(-10, 400))),
            )
        )
    return found


def _decide(category: Category, history: list[ActivityEvent], held: str) -> object:
    points = points_by_metric(RULES.velocity_windows, history)
    decision = evaluate(category, fold(history), Current(held), NOW, points)
    return None if decision is None else (decision.status_code, decision.changes)


@settings(max_examples=300, deadline=None)
@given(history=events(8), extra=events(1), high=st.booleans())
def test_an_event_no_rule_of_a_category_reads_leaves_its_decision_alone(
    history: list[ActivityEvent], extra: list[ActivityEvent], high: bool
) -> None:
    [event] = extra
    moved = RULES.moved_by([event.type])
    for category in CATEGORIES:
        if category.code in moved:
            continue
        held = category.statuses[1 if high else 0].code
        assert _decide(category, history, held) == _decide(category, [*history, event], held), (
            category.code,
            event.type,
        )


@settings(max_examples=300, deadline=None)
@given(history=events(10), high=st.booleans())
def test_a_history_of_the_kinds_the_rules_read_decides_as_the_whole_one(
    history: list[ActivityEvent], high: bool
) -> None:
    for category in CATEGORIES:
        kinds = types_read([category])
        if kinds is None:  # an inactivity rule reads everything: nothing is cut
            assert any(isinstance(s.rule, InactivityRule) for s in category.statuses)
            continue
        read = [e for e in history if set(kinds_of(e.type)) & kinds]
        held = category.statuses[1 if high else 0].code
        assert _decide(category, read, held) == _decide(category, history, held), category.code


def test_every_metric_is_read_by_its_own_event_kinds() -> None:
    assert types_read([CATEGORIES[0]]) == {ANY_RESERVATION}
    assert types_read([CATEGORIES[1]]) == {"transaction.completed", "transaction.refunded"}
    assert types_read(CATEGORIES) is None
    assert date(2026, 1, 1) < TODAY  # the strategies' dates are anchored on NOW
