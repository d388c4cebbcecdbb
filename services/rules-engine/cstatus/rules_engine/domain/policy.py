"""Downgrade policies (SPEC 1.7): when automation may move a customer down. Upgrades are always
immediate.

A move down from the held status is held back while that status (or a higher one) matched on
some day since the policy's start: `grace` starts `grace_days` ago, `period_end` at the start of
the current period (month, quarter, year, or the year since the customer's first activity), and
`never` never lets automation move a customer down. Whether it matched on a past day is decided
by evaluating on that day — the start and every day in between on which something measured
changed (`domain/measure_days.py`) — so the policy needs no state beyond the facts, and a
customer whose status matches again keeps it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from cstatus.rules_engine.domain.evaluate import (
    Decision,
    Explanation,
    VelocityPoints,
    immediate,
)
from cstatus.rules_engine.domain.facts import CustomerFacts
from cstatus.rules_engine.domain.measure_days import measure_days
from cstatus.rules_engine.domain.model import Category, Current, Downgrade

__all__ = ["held_back", "hold_start", "period_start"]


def period_start(period: str, today: date, first_activity: date | None) -> date:
    """The first day of the period `today` lies in."""
    if period == "month":
        return today.replace(day=1)
    if period == "quarter":
        return today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    if period == "anniversary" and first_activity is not None:
        start = _same_day(first_activity, today.year)
        return start if start <= today else _same_day(first_activity, today.year - 1)
    return today.replace(month=1, day=1)


def _same_day(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February
        return day.replace(year=year, day=28)


def hold_start(policy: Downgrade, facts: CustomerFacts, today: date) -> date | None:
    """From when on the held status must not have matched for a move down; None: never."""
    if policy.mode == "never":
        return None
    if policy.mode == "grace":
        assert policy.grace_days is not None
        return date.fromordinal(today.toordinal() - policy.grace_days)
    first = min((t for t, _ in facts.first_seen.values()), default=None)
    return period_start(policy.period or "year", today, first.date() if first else None)


def held_back(
    category: Category,
    facts: CustomerFacts,
    current: Current,
    now: datetime,
    velocity: VelocityPoints | None,
    decision: Decision,
) -> Decision | None:
    """The decision keeping the held status when the policy holds `decision`'s move down back;
    None when the move may happen (it is an upgrade, or nothing held it back)."""
    held = category.status(current.status_code)
    if held is None:
        return None
    target = category.status(decision.status_code)
    if target is not None and target.priority >= held.priority:
        return None  # an upgrade (or a sideways move) is immediate
    policy = category.downgrade
    start = hold_start(policy, facts, now.date())
    details = {"mode": policy.mode, "would_be": decision.status_code or ""}
    if start is None:
        return Decision(
            category.code, held.code, False, Explanation("downgrade_policy", details=details)
        )
    unpinned = replace(current, pinned=False, pinned_until=None)
    for day in [start, *measure_days(category, facts, start, now.date())]:
        instant = datetime.combine(day, time(), UTC)
        if instant >= now:
            break
        then = immediate(category, facts, unpinned, instant, velocity)
        matched = category.status(then.status_code if then is not None else held.code)
        if matched is not None and matched.priority >= held.priority:
            details["matched_on"] = day.isoformat()
            details["since"] = start.isoformat()
            return Decision(
                category.code, held.code, False, Explanation("downgrade_policy", details=details)
            )
    return None
