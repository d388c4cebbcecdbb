"""Evaluation of one automatic category for one customer at time `now` (SPEC §1 Evaluation).

Unless pinned, the target is the highest-priority status whose rule matches; if none matches, the
default status, else no status. A customer in a sticky status is not moved by automation. Every
decision carries its explanation: the rule, the measured value, the window and the deciding events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from cstatus.rules_engine.domain.facts import CustomerFacts
from cstatus.rules_engine.domain.measure import Measure, count_value, velocity_peak
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    Current,
    FirstActivityRule,
    InactivityRule,
    Rule,
    Status,
)
from cstatus.rules_engine.domain.velocity import VelocityPoint

__all__ = [
    "Decision",
    "Explanation",
    "VelocityPoints",
    "evaluate",
    "immediate",
    "matches",
    "rules_read",
]


@dataclass(frozen=True, slots=True)
class Explanation:
    rule: str
    value: int | Decimal | None = None
    window: str | None = None
    event_ids: tuple[str, ...] = ()
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """`status_code` is the target; `changes` says whether it differs from what is held."""

    category_code: str
    status_code: str | None
    changes: bool
    explanation: Explanation


def _explain_count(rule: CountRule, measure: Measure) -> Explanation:
    window = "all time" if rule.window_days is None else f"{rule.window_days} days"
    bounds = f"{rule.min}..{'' if rule.max is None else rule.max}"
    return Explanation(
        "count", measure.value, window, measure.event_ids, {"metric": rule.metric, "range": bounds}
    )


VelocityPoints = Mapping[str, Sequence[VelocityPoint]]
"""Per velocity metric, the customer's recent points (see `domain/velocity.py`)."""


def matches(
    rule: Rule, facts: CustomerFacts, now: datetime, velocity: VelocityPoints | None = None
) -> tuple[bool, Explanation]:
    """Whether `rule` holds for `facts` at `now`, and why. A velocity rule measures the given
    points of its metric when there are some for it, else all the facts."""
    if isinstance(rule, CountRule):
        measure = count_value(rule, facts, now)
        ok = measure.value >= rule.min and (rule.max is None or measure.value <= rule.max)
        return ok, _explain_count(rule, measure)
    if isinstance(rule, FirstActivityRule):
        hits = sorted(facts.first_seen[t] for t in rule.triggers if t in facts.first_seen)
        ids = tuple(e for _, e in hits[:1])
        return bool(hits), Explanation("first_activity", len(hits), "ever", ids)
    if isinstance(rule, InactivityRule):
        last = facts.last_activity
        ok = last is not None and last <= now - timedelta(days=rule.days)
        idle = None if last is None else (now - last).days
        details = {} if last is None else {"last_activity": last.isoformat()}
        return ok, Explanation("inactivity", idle, f"{rule.days} days", (), details)
    points = velocity.get(rule.metric) if velocity is not None else None
    measure = velocity_peak(rule, facts, now, points)
    return measure.value > rule.threshold, Explanation(
        "velocity",
        measure.value,
        f"{rule.window_minutes} minutes",
        measure.event_ids,
        {"metric": rule.metric, "threshold": str(rule.threshold)},
    )


def _kept_by_first_activity(category: Category, current: Current) -> Status | None:
    """SPEC §1 v2, never reverts means never: a status the customer entered by `first_activity`
    stays matched when an admin edits or removes that rule (unless the status is archived)."""
    if current.entered_by != "first_activity":
        return None
    held = category.status(current.status_code)
    return held if held is not None and not held.archived else None


def _candidates(category: Category, kept: Status | None = None) -> list[Status]:
    ruled = [
        s
        for s in category.statuses
        if (s.rule is not None or (kept is not None and s.code == kept.code)) and not s.archived
    ]
    return sorted(ruled, key=lambda s: (-s.priority, s.code))


def rules_read(category: Category, current: Current, now: datetime) -> list[Rule]:
    """The rules `evaluate` may measure for this holding: none when automation leaves it alone,
    and only those tried before a status kept by first activity (`evaluate` stops there)."""
    if category.update_mode != "automatic" or current.is_pinned(now):
        return []
    held = category.status(current.status_code)
    if held is not None and held.sticky:
        return []
    kept = _kept_by_first_activity(category, current)
    found: list[Rule] = []
    for status in _candidates(category, kept):
        if kept is not None and status.code == kept.code:
            break
        assert status.rule is not None
        found.append(status.rule)
    return found


def evaluate(
    category: Category,
    facts: CustomerFacts,
    current: Current,
    now: datetime,
    velocity: VelocityPoints | None = None,
) -> Decision | None:
    """The automatic decision for one category, or None when automation must not act; a move
    down waits as the category's downgrade policy says (SPEC 1.7, `domain/policy.py`)."""
    decision = immediate(category, facts, current, now, velocity)
    if decision is None or not decision.changes or category.downgrade.mode == "immediate":
        return decision
    from cstatus.rules_engine.domain.policy import held_back

    return held_back(category, facts, current, now, velocity, decision) or decision


def immediate(
    category: Category,
    facts: CustomerFacts,
    current: Current,
    now: datetime,
    velocity: VelocityPoints | None = None,
) -> Decision | None:
    """The decision without a downgrade policy: the highest-priority status that matches now."""
    if category.update_mode != "automatic" or current.is_pinned(now):
        return None
    held = category.status(current.status_code)
    if held is not None and held.sticky:
        return None
    kept = _kept_by_first_activity(category, current)
    for status in _candidates(category, kept):
        if (
            kept is not None and status.code == kept.code
        ):  # entered by first_activity: matched for good, whatever its rule now
            why = Explanation("first_activity", 1, "ever", (), {"kept": "true"})
            return Decision(category.code, status.code, False, why)
        assert status.rule is not None
        ok, why = matches(status.rule, facts, now, velocity)
        if ok:
            return Decision(category.code, status.code, status.code != current.status_code, why)
    default = category.default
    target = default.code if default is not None else None
    why = Explanation("default" if default is not None else "none")
    return Decision(category.code, target, target != current.status_code, why)
