"""Which categories an event can move: those with a live rule that reads its type."""

from __future__ import annotations

import pytest

from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    FirstActivityRule,
    InactivityRule,
    Status,
    VelocityRule,
)
from cstatus.rules_engine.domain.tenant import TenantRules

pytestmark = pytest.mark.unit


def _category(code: str, *rules: object, archived: bool = False) -> Category:
    statuses = tuple(
        Status(f"{code}-{n}", priority=n, rule=rule, archived=archived)  # type: ignore[arg-type]
        for n, rule in enumerate(rules, start=1)
    )
    return Category(code, (Status(f"{code}-default", is_default=True), *statuses))


RULES = TenantRules(
    1,
    (
        _category("relationship", FirstActivityRule(frozenset({"payment.captured"}))),
        _category("loyalty", CountRule("reservations", 5, window_days=365)),
        _category("lifecycle", VelocityRule("transactions", 20, 60)),
        _category("spend", CountRule("spend", 100)),
        _category("dormant", InactivityRule(90)),
        _category("retired", CountRule("payments", 1), archived=True),
    ),
)


def test_each_event_type_moves_the_categories_whose_rules_read_it() -> None:
    assert RULES.moved_by(["reservation.cancelled"]) == {"loyalty"}
    assert RULES.moved_by(["reservation.booked"]) == {"loyalty", "dormant"}
    assert RULES.moved_by(["transaction.refunded"]) == {"lifecycle", "spend"}
    assert RULES.moved_by(["transaction.completed"]) == {"lifecycle", "spend", "dormant"}
    assert RULES.moved_by(["payment.captured"]) == {"relationship", "dormant"}
    assert RULES.moved_by(["coupon.redeemed"]) == {"dormant"}


def test_an_event_no_live_rule_reads_moves_nothing() -> None:
    assert RULES.moved_by(["customer.updated"]) == frozenset()
    assert RULES.moved_by(["payment.refunded"]) == frozenset()  # only an archived rule reads it
    assert RULES.moved_by([]) == frozenset()


def test_velocity_windows_are_known_once() -> None:
    assert dict(RULES.velocity_windows) == {"transactions": 60}
    assert RULES.only("loyalty") == TenantRules(1, (RULES.categories[1],))


def test_a_sweep_of_a_future_day_is_refused_unless_time_is_simulated() -> None:
    """The review found `as_of: 9999-12-30` accepted anywhere: mass real changes, the tenant's
    clock moved for good."""
    from datetime import date

    from cstatus.rules_engine.domain.sweep_dates import sweep_day_refusal

    today = date(2026, 12, 2)
    assert sweep_day_refusal(date(9999, 12, 30), today, simulated_time=False) is not None
    assert sweep_day_refusal(date(2026, 12, 3), today, simulated_time=False) is not None
    assert sweep_day_refusal(today, today, simulated_time=False) is None
    assert sweep_day_refusal(date(2026, 1, 1), today, simulated_time=False) is None
    assert sweep_day_refusal(date(2027, 1, 1), today, simulated_time=True) is None
