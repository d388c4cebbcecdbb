"""What would change a decision (SPEC 1.7): `keep`, until when the status automation gives holds
without new activity, and `next`, the next higher status and what it needs.

Both come from `evaluate` itself, at the future days on which, with no new activity, something a
rule measures can change: a counted reservation, purchase or redemption leaving its window, a
booked arrival day coming, an inactivity period running out. So they are exact for the facts
given (the whole history) and cannot drift from how decisions are made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from cstatus.rules_engine.domain.evaluate import Decision, VelocityPoints, evaluate
from cstatus.rules_engine.domain.facts import CustomerFacts
from cstatus.rules_engine.domain.measure import count_value
from cstatus.rules_engine.domain.measure_days import measure_days
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Status
from cstatus.rules_engine.domain.policy import period_start

__all__ = [
    "HORIZON_DAYS",
    "MAX_STEPS",
    "RULE_TYPES",
    "change_days",
    "held_until",
    "outlook",
]

HORIZON_DAYS = 3 * 365
"""How far ahead `keep` looks; beyond it a status holds "until further notice" (`until: null`)."""
MAX_STEPS = 64
"""At most this many future days are evaluated per decision (the earliest ones)."""


def change_days(category: Category, facts: CustomerFacts, today: date) -> list[date]:
    """The future days (after `today`, within the horizon) on which a rule of the category may
    measure something else without any new activity (the earliest `MAX_STEPS`)."""
    horizon = today + timedelta(days=HORIZON_DAYS)
    policy = category.downgrade
    grace = timedelta(days=policy.grace_days or 0) if policy.mode == "grace" else timedelta()
    # with a grace, a move down falls due that much after the measure changed: a change of the
    # last `grace_days` (the customer is in the grace now) lies ahead too
    days = set(measure_days(category, facts, today - grace, horizon))
    if grace:
        days |= {d + grace for d in days}
    elif policy.mode == "period_end":  # ... or on the first day of the next periods
        first = min((t for t, _ in facts.first_seen.values()), default=None)
        day = today
        while day <= horizon:
            day = period_start(policy.period or "year", day, first.date() if first else None)
            day = _next_period(policy.period or "year", day)
            days.add(day)
    return sorted(d for d in days if today < d <= horizon)[:MAX_STEPS]


def _next_period(period: str, start: date) -> date:
    if period == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    if period == "quarter":
        month = start.month + 3
        return start.replace(year=start.year + (month > 12), month=(month - 1) % 12 + 1, day=1)
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, day=28)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def _target(
    category: Category,
    facts: CustomerFacts,
    current: Current,
    now: datetime,
    velocity: VelocityPoints | None,
) -> str | None:
    decision = evaluate(category, facts, current, now, velocity)
    return current.status_code if decision is None else decision.status_code


def held_until(
    category: Category,
    facts: CustomerFacts,
    target: str | None,
    now: datetime,
    velocity: VelocityPoints | None = None,
) -> tuple[date, str | None] | None:
    """The first day on which, without new activity, automation gives the customer holding
    `target` another status, and that status; None when it holds beyond the horizon."""
    held = Current(target)
    for day in change_days(category, facts, now.date()):
        later = _target(category, facts, held, _at(day), velocity)
        if later != target:
            return day, later
    return None


def _keep(
    category: Category,
    facts: CustomerFacts,
    target: str | None,
    now: datetime,
    velocity: VelocityPoints | None,
) -> dict[str, Any]:
    found = held_until(category, facts, target, now, velocity)
    if found is None:
        return {"until": None, "then": None}
    day, then = found
    return {"until": (day - timedelta(days=1)).isoformat(), "then": then}


RULE_TYPES = {
    "CountRule": "count",
    "FirstActivityRule": "first_activity",
    "InactivityRule": "inactivity",
    "VelocityRule": "velocity",
}


def _needs(
    category: Category, status: Status, facts: CustomerFacts, now: datetime
) -> dict[str, Any]:
    """The next status, and for a count rule how much more of its metric it needs; with a
    window, `by` is the last day before what is counted now starts to leave it."""
    rule = status.rule
    assert rule is not None
    found: dict[str, Any] = {"status_code": status.code, "rule": RULE_TYPES[type(rule).__name__]}
    if not isinstance(rule, CountRule):
        return found
    value = count_value(rule, facts, now).value
    missing = max(rule.min - value, 0)
    found |= {
        "metric": rule.metric,
        "needs": str(missing) if isinstance(missing, Decimal) else missing,
        "window_days": rule.window_days,
        "by": None,
    }
    if rule.window_days is not None:
        for day in change_days(category, facts, now.date()):
            if count_value(rule, facts, _at(day)).value < value:
                found["by"] = (day - timedelta(days=1)).isoformat()
                break
    return found


def outlook(
    category: Category,
    facts: CustomerFacts,
    current: Current,
    now: datetime,
    velocity: VelocityPoints | None = None,
    decision: Decision | None = None,
) -> dict[str, Any] | None:
    """`{"keep": {"until", "then"}, "next": {...} | None}` for the status automation gives the
    customer now, or None when automation leaves the category alone (pinned, sticky, manual).
    `decision`: the caller's `evaluate` of the same arguments, when it has it."""
    decision = decision or evaluate(category, facts, current, now, velocity)
    if decision is None:
        return None
    target = decision.status_code
    keep = _keep(category, facts, target, now, velocity)
    held = category.status(target)
    floor = held.priority if held is not None else None
    higher = sorted(
        (s for s in category.statuses if s.rule is not None and not s.archived),
        key=lambda s: s.priority,
    )
    nxt = next((s for s in higher if floor is None or s.priority > floor), None)
    following = None if nxt is None else _needs(category, nxt, facts, now)
    return {"keep": keep, "next": following}
