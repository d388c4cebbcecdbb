"""The pure evaluation of SPEC §1 for every rule type and its edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cstatus.rules_engine.domain.evaluate import evaluate
from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts, fold
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    Current,
    FirstActivityRule,
    InactivityRule,
    Status,
    VelocityRule,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
NOBODY = Current(None)


def booked(ref: str, arrival: date, at: datetime = NOW - timedelta(days=1)) -> ActivityEvent:
    return ActivityEvent(f"b-{ref}", "reservation.booked", at, ref, arrival_date=arrival)


def cancelled(ref: str) -> ActivityEvent:
    return ActivityEvent(f"c-{ref}", "reservation.cancelled", NOW, ref)


def sale(ref: str, at: datetime, amount: str = "10") -> ActivityEvent:
    return ActivityEvent(f"t-{ref}", "transaction.completed", at, ref, amount=Decimal(amount))


def refund(ref: str, amount: str) -> ActivityEvent:
    return ActivityEvent(
        f"r-{ref}-{amount}", "transaction.refunded", NOW, ref, amount=Decimal(amount)
    )


def loyalty(window_days: int | None = 365) -> Category:
    return Category(
        "loyalty",
        (
            Status("none", priority=0, is_default=True),
            Status("bronze", 1, rule=CountRule("reservations", 1, 2, window_days)),
            Status("silver", 2, rule=CountRule("reservations", 3, 4, window_days)),
            Status("gold", 3, rule=CountRule("reservations", 5, None, window_days)),
        ),
    )


def relationship() -> Category:
    triggers = frozenset(
        {
            "reservation.booked",
            "reservation.arrived",
            "invoice.issued",
            "payment.captured",
            "transaction.completed",
        }
    )
    return Category(
        "relationship",
        (
            Status("lead", 0, is_default=True),
            Status("client", 10, rule=FirstActivityRule(triggers)),
            Status("inactive", 20, rule=InactivityRule(90)),
            Status("vip", 30),
        ),
    )


def target(category: Category, facts: CustomerFacts, current: Current = NOBODY) -> str | None:
    decision = evaluate(category, facts, current, NOW)
    assert decision is not None
    return decision.status_code


def test_reservation_window_includes_its_first_and_last_day() -> None:
    first_day = TODAY - timedelta(days=365)
    facts = fold([booked("a", first_day), booked("b", TODAY)])
    decision = evaluate(loyalty(), facts, NOBODY, NOW)
    assert decision is not None and decision.status_code == "bronze"
    assert decision.explanation.value == 2
    assert decision.explanation.event_ids == ("b-a", "b-b")
    assert decision.explanation.window == "365 days"


def test_reservations_outside_the_window_or_in_the_future_do_not_count() -> None:
    facts = fold(
        [booked("old", TODAY - timedelta(days=366)), booked("future", TODAY + timedelta(days=1))]
    )
    assert target(loyalty(), facts) == "none"


def test_max_bounds_a_tier_and_the_highest_priority_match_wins() -> None:
    facts = fold(booked(str(n), TODAY - timedelta(days=n)) for n in range(5))
    assert target(loyalty(), facts) == "gold"
    facts3 = fold(booked(str(n), TODAY - timedelta(days=n)) for n in range(3))
    assert target(loyalty(), facts3) == "silver"


def test_cancelled_reservations_do_not_count() -> None:
    facts = fold([booked("a", TODAY), booked("b", TODAY), booked("c", TODAY), cancelled("c")])
    assert target(loyalty(), facts) == "bronze"


def test_cancellation_before_its_booking_gives_the_same_facts() -> None:
    ordered = fold([booked("a", TODAY), cancelled("a")])
    reversed_ = fold([cancelled("a"), booked("a", TODAY)])
    assert ordered == reversed_
    assert target(loyalty(), reversed_) == "none"


def test_all_time_window_counts_every_arrived_reservation() -> None:
    facts = fold([booked("a", TODAY - timedelta(days=3000))])
    assert target(loyalty(window_days=None), facts) == "bronze"


def test_refunds_reduce_spend_and_a_whole_refund_removes_the_transaction() -> None:
    spenders = Category(
        "spend",
        (Status("low", is_default=True), Status("high", 1, rule=CountRule("spend", 100, None, 30))),
    )
    facts = fold(
        [sale("x", NOW - timedelta(days=1), "80"), sale("y", NOW, "40"), refund("y", "40")]
    )
    assert target(spenders, facts) == "low"
    counters = Category(
        "tx",
        (
            Status("none", is_default=True),
            Status("two", 1, rule=CountRule("transactions", 2, None, 30)),
        ),
    )
    assert target(counters, facts) == "none"
    partly = fold([sale("x", NOW, "80"), sale("y", NOW, "40"), refund("y", "10")])
    assert target(spenders, partly) == "high"
    assert target(counters, partly) == "two"


def test_first_activity_does_not_revert_after_cancellation() -> None:
    facts = fold([booked("a", TODAY + timedelta(days=30)), cancelled("a")])
    decision = evaluate(relationship(), facts, NOBODY, NOW)
    assert decision is not None and decision.status_code == "client"
    assert decision.explanation.event_ids == ("b-a",)


def test_inactivity_needs_activity_and_a_quiet_period() -> None:
    assert target(relationship(), CustomerFacts()) == "lead"
    quiet = fold([sale("x", NOW - timedelta(days=90))])
    assert target(relationship(), quiet) == "inactive"
    recent = fold([sale("x", NOW - timedelta(days=89))])
    assert target(relationship(), recent) == "client"


def test_velocity_counts_more_than_threshold_in_any_window() -> None:
    fraud = Category(
        "lifecycle",
        (
            Status("active", is_default=True),
            Status("fraud_suspected", 50, sticky=True, rule=VelocityRule("transactions", 3, 60)),
        ),
    )
    start = NOW - timedelta(days=10)
    four_in_59 = fold(sale(str(n), start + timedelta(minutes=n * 19)) for n in range(4))
    assert target(fraud, four_in_59) == "fraud_suspected"
    spread = fold(sale(str(n), start + timedelta(minutes=n * 21)) for n in range(4))
    assert target(fraud, spread) == "active"
    # sticky: automation never moves the customer out of it
    assert evaluate(fraud, CustomerFacts(), Current("fraud_suspected"), NOW) is None


def test_pins_stop_automation_until_they_expire() -> None:
    facts = fold([booked("a", TODAY)])
    pinned = Current("gold", pinned=True, pinned_until=NOW + timedelta(hours=1))
    assert evaluate(loyalty(), facts, pinned, NOW) is None
    expired = Current("gold", pinned=True, pinned_until=NOW - timedelta(seconds=1))
    assert target(loyalty(), facts, expired) == "bronze"
    forever = Current("gold", pinned=True, pinned_until=None)
    assert evaluate(loyalty(), facts, forever, NOW) is None


def test_nothing_matching_gives_the_default_or_no_status() -> None:
    no_default = Category("c", (Status("x", 1, rule=CountRule("payments", 1)),))
    decision = evaluate(no_default, CustomerFacts(), Current("x"), NOW)
    assert decision is not None and decision.status_code is None and decision.changes
    assert target(loyalty(), CustomerFacts()) == "none"


def test_a_decision_that_keeps_the_status_says_it_changes_nothing() -> None:
    facts = fold([booked("a", TODAY)])
    decision = evaluate(loyalty(), facts, Current("bronze"), NOW)
    assert decision is not None and decision.status_code == "bronze" and not decision.changes


def test_manual_categories_are_never_evaluated() -> None:
    manual = Category("m", (Status("a", is_default=True),), update_mode="manual")
    assert evaluate(manual, CustomerFacts(), NOBODY, NOW) is None


def test_a_status_entered_by_first_activity_stays_when_its_rule_is_gone() -> None:
    """SPEC §1 v2: never reverts means never (the review found a removed `client` rule sending
    clients back to `lead`)."""
    from cstatus.rules_engine.domain.evaluate import evaluate
    from cstatus.rules_engine.domain.facts import fold
    from cstatus.rules_engine.domain.model import Category, Current, Status

    now = datetime(2026, 12, 2, tzinfo=UTC)
    category = Category(
        "relationship",
        (Status("lead", 0, is_default=True), Status("client", 10), Status("vip", 30)),
    )
    kept = evaluate(category, fold([]), Current("client", entered_by="first_activity"), now)
    assert kept is not None and (kept.status_code, kept.changes) == ("client", False)
    by_hand = evaluate(category, fold([]), Current("client", entered_by=None), now)
    assert by_hand is not None and by_hand.status_code == "lead"
