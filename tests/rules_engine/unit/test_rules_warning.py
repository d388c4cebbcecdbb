"""Warnings ahead of a move down (SPEC 1.7 `warn_days`) as pure functions: announced exactly
`warn_days` ahead of the day the evaluation itself moves the customer down, never for a move
up, and saying what would keep the status."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cstatus.rules_engine.domain.evaluate import evaluate
from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts, fold
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Downgrade, Status
from cstatus.rules_engine.domain.outlook import outlook
from cstatus.rules_engine.domain.warning import downgrade_warning

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


def _stays(*days_ago: int) -> CustomerFacts:
    return fold(
        ActivityEvent(
            f"b-{d}", "reservation.booked", NOW, f"r{d}", arrival_date=TODAY - timedelta(days=d)
        )
        for d in days_ago
    )


def _on(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


# Silver on two stays; the one of 360 days ago leaves the 365-day window on day +6.
SILVER = _stays(360, 100)


def test_immediate_warns_warn_days_ahead_of_the_day_the_window_drops_a_stay() -> None:
    category = _with(warn_days=7)
    warning = downgrade_warning(category, SILVER, Current("silver"), NOW)
    assert warning is not None
    assert (warning.status_code, warning.to_status_code) == ("silver", "bronze")
    assert warning.on == TODAY + timedelta(days=6)
    # the evaluation itself agrees: silver the day before, bronze on the day
    before = evaluate(category, SILVER, Current("silver"), _on(warning.on - timedelta(days=1)))
    after = evaluate(category, SILVER, Current("silver"), _on(warning.on))
    assert before is not None and before.status_code == "silver"
    assert after is not None and after.status_code == "bronze"
    assert warning.keep == {
        "status_code": "silver",
        "rule": "count",
        "metric": "reservations",
        "needs": 1,
        "window_days": 365,
        "by": (warning.on - timedelta(days=1)).isoformat(),
    }


def test_nothing_is_announced_before_warn_days_or_without_warn_days() -> None:
    assert downgrade_warning(_with(warn_days=5), SILVER, Current("silver"), NOW) is None
    assert downgrade_warning(LOYALTY, SILVER, Current("silver"), NOW) is None


def test_grace_announces_the_day_the_grace_runs_out() -> None:
    category = _with(mode="grace", grace_days=30, warn_days=40)
    warning = downgrade_warning(category, SILVER, Current("silver"), NOW)
    assert warning is not None
    assert warning.on == TODAY + timedelta(days=36)  # stopped matching on day +6, 30 days grace
    after = evaluate(category, SILVER, Current("silver"), _on(warning.on))
    held = evaluate(category, SILVER, Current("silver"), _on(warning.on - timedelta(days=1)))
    assert after is not None and after.status_code == "bronze"
    assert held is not None and held.status_code == "silver"


def test_a_move_up_or_a_move_today_is_not_a_warning() -> None:
    category = _with(warn_days=30)
    # bronze holder with two stays: silver today (an upgrade, proposed at once)
    assert downgrade_warning(category, SILVER, Current("bronze"), NOW) is None
    # a silver holder whose stays already left: the move is today's, not a warning's
    assert downgrade_warning(category, _stays(400, 100), Current("silver"), NOW) is None


def test_a_pinned_status_is_not_warned_about() -> None:
    pinned = Current("silver", pinned=True)
    assert downgrade_warning(_with(warn_days=7), SILVER, pinned, NOW) is None


def test_inside_the_grace_keep_and_the_warning_name_the_day_the_grace_runs_out() -> None:
    """The measure changed in the past (a stay left the window 4 days ago): the move down it
    starts still lies ahead, on that day + grace_days (a bug once made `keep` look only at
    measure changes still to come, so a customer inside the grace was never warned)."""
    category = _with(mode="grace", grace_days=30, warn_days=30)
    lapsed = _stays(370, 100)  # the older stay left the window on day -4
    seen = outlook(category, lapsed, Current("silver"), NOW)
    assert seen is not None
    assert seen["keep"] == {"until": str(TODAY + timedelta(days=25)), "then": "bronze"}
    warning = downgrade_warning(category, lapsed, Current("silver"), NOW)
    assert warning is not None and warning.on == TODAY + timedelta(days=26)
