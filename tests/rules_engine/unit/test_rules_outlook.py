"""What would change a decision (SPEC 1.7: `keep` and `next`), as pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cstatus.rules_engine.domain.facts import ActivityEvent, fold
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Status
from cstatus.rules_engine.domain.outlook import change_days, outlook

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


def _booked(ref: str, arrival: date) -> ActivityEvent:
    return ActivityEvent(f"b-{ref}", "reservation.booked", NOW, ref, arrival_date=arrival)


def test_silver_holds_until_its_second_newest_stay_leaves_the_window() -> None:
    stays = [TODAY - timedelta(days=d) for d in (300, 100, 10)]
    facts = fold(_booked(f"r{n}", a) for n, a in enumerate(stays))
    seen = outlook(LOYALTY, facts, Current("silver"), NOW)
    assert seen is not None
    # 3 stays: the one of 300 days ago leaves on day +66 (2 left: still silver), the one of
    # 100 days ago on day +266 (1 left: bronze), so silver holds through day +265.
    assert seen["keep"] == {
        "until": (TODAY + timedelta(days=265)).isoformat(),
        "then": "bronze",
    }
    assert seen["next"] == {
        "status_code": "gold",
        "rule": "count",
        "metric": "reservations",
        "needs": 1,
        "window_days": 365,
        "by": (TODAY + timedelta(days=65)).isoformat(),  # before the oldest one leaves
    }


def test_a_booked_future_stay_counts_from_its_arrival() -> None:
    facts = fold(
        [_booked("past", TODAY - timedelta(days=20)), _booked("soon", TODAY + timedelta(days=5))]
    )
    assert TODAY + timedelta(days=5) in change_days(LOYALTY, facts, TODAY)
    seen = outlook(LOYALTY, facts, Current("bronze"), NOW)
    assert seen is not None
    # bronze today; the arrival in 5 days makes silver: bronze holds through day +4
    assert seen["keep"] == {"until": (TODAY + timedelta(days=4)).isoformat(), "then": "silver"}
    assert (seen["next"]["status_code"], seen["next"]["needs"]) == ("silver", 1)


def test_the_top_status_has_no_next_and_an_all_time_rule_keeps_for_good() -> None:
    forever = Category(
        "spendy",
        (Status("plain", 0, is_default=True), Status("vip", 10, rule=CountRule("reservations", 1))),
        "automatic",
    )
    facts = fold([_booked("r", TODAY - timedelta(days=3))])
    seen = outlook(forever, facts, Current("vip"), NOW)
    assert seen == {"keep": {"until": None, "then": None}, "next": None}
    assert outlook(forever, facts, Current("vip", pinned=True), NOW) is None


def test_facts_made_from_other_facts_do_not_share_their_measures() -> None:
    """The measure memo of `CustomerFacts` was an init field, so `dataclasses.replace` (as
    `sight.with_edges` uses) handed the new facts the old facts' memo."""
    from dataclasses import replace

    from cstatus.rules_engine.domain.measure import count_value

    few = fold([_booked("a", TODAY - timedelta(days=3))])
    rule = CountRule("reservations", 1, window_days=365)
    assert count_value(rule, few, NOW).value == 1
    more = fold([_booked("b", TODAY - timedelta(days=2))], few)
    emptied = replace(few, reservations={})
    assert count_value(rule, more, NOW).value == 2
    assert count_value(rule, emptied, NOW).value == 0
