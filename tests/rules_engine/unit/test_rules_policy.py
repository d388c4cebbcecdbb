"""Downgrade policies (SPEC 1.7) as pure functions: a move down waits, an upgrade never does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cstatus.rules_engine.domain.evaluate import evaluate
from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Downgrade, Status
from cstatus.rules_engine.domain.outlook import outlook
from cstatus.rules_engine.domain.policy import period_start

pytestmark = pytest.mark.unit

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
TODAY = NOW.date()

LOYALTY = Category(
    "loyalty",
    (
        Status("bronze", 0, is_default=True),
        Status("silver", 10, rule=CountRule("reservations", 2, window_days=365)),
        Status("gold", 20, rule=CountRule("reservations", 4, window_days=365)),
    ),
    "automatic",
)


def _with(**policy: object) -> Category:
    return replace(LOYALTY, downgrade=Downgrade(**policy))  # type: ignore[arg-type]


def _stays(*days_ago: int) -> object:
    return fold(
        ActivityEvent(
            f"b-{d}", "reservation.booked", NOW, f"r{d}", arrival_date=TODAY - timedelta(days=d)
        )
        for d in days_ago
    )


# Two stays, 370 and 100 days ago: the older one left the 365-day window 4 days ago.
LAPSED = _stays(370, 100)


def _target(category: Category, facts: object, held: str = "silver") -> tuple[str | None, str]:
    decision = evaluate(category, facts, Current(held), NOW)  # type: ignore[arg-type]
    assert decision is not None
    return decision.status_code, decision.explanation.rule


def test_immediate_moves_down_at_once() -> None:
    assert _target(LOYALTY, LAPSED) == ("bronze", "default")


def test_grace_keeps_the_status_until_it_has_not_matched_for_grace_days() -> None:
    assert _target(_with(mode="grace", grace_days=30), LAPSED) == ("silver", "downgrade_policy")
    assert _target(_with(mode="grace", grace_days=3), LAPSED) == ("bronze", "default")
    # matching again within the grace keeps it, whatever the policy
    assert _target(_with(mode="grace", grace_days=3), _stays(370, 100, 5)) == ("silver", "count")


def test_period_end_moves_down_only_after_a_period_in_which_it_never_matched() -> None:
    monthly = _with(mode="period_end", period="month")
    assert _target(monthly, LAPSED) == ("bronze", "default")  # lapsed before 1 December
    # lapsed yesterday: it still matched on 1 December, so silver holds until 1 January
    assert _target(monthly, _stays(367, 100)) == ("silver", "downgrade_policy")
    yearly = _with(mode="period_end", period="year")
    assert _target(yearly, LAPSED) == ("silver", "downgrade_policy")


def test_never_and_upgrades() -> None:
    never = _with(mode="never")
    assert _target(never, LAPSED) == ("silver", "downgrade_policy")
    assert _target(never, _stays(1, 2, 3, 4)) == ("gold", "count")  # up: at once
    assert _target(_with(mode="grace", grace_days=30), _stays(1, 2), held="bronze") == (
        "silver",
        "count",
    )


def test_keep_reflects_the_grace() -> None:
    facts = _stays(300, 100)  # the older stay leaves in 66 days
    immediate = outlook(LOYALTY, facts, Current("silver"), NOW)  # type: ignore[arg-type]
    graced = outlook(_with(mode="grace", grace_days=30), facts, Current("silver"), NOW)  # type: ignore[arg-type]
    assert immediate is not None and graced is not None
    assert immediate["keep"]["until"] == (TODAY + timedelta(days=65)).isoformat()
    assert graced["keep"]["until"] == (TODAY + timedelta(days=95)).isoformat()


@pytest.mark.parametrize(
    ("period", "today", "first", "start"),
    [
        ("month", date(2026, 12, 3), None, date(2026, 12, 1)),
        ("quarter", date(2026, 11, 30), None, date(2026, 10, 1)),
        ("year", date(2026, 12, 3), None, date(2026, 1, 1)),
        ("anniversary", date(2026, 12, 3), date(2020, 6, 15), date(2026, 6, 15)),
        ("anniversary", date(2026, 3, 1), date(2020, 6, 15), date(2025, 6, 15)),
        ("anniversary", date(2027, 2, 28), date(2024, 2, 29), date(2027, 2, 28)),
    ],
)
def test_period_starts(period: str, today: date, first: date | None, start: date) -> None:
    assert period_start(period, today, first) == start
