"""Warnings ahead of a move down (SPEC 1.7: `warn_days`).

A category whose downgrade policy has `warn_days` warns a customer when, without new activity,
automation will move them to a lower status within that many days: the day (`on`, the first day
in the lower status), the status it goes to, and what would keep the current one — for a count
rule how many more of its metric, arriving by the day before, so that the rule still matches on
that day (with `grace` or `period_end` a match on any day before it keeps the status; with
`immediate`, the count on the day itself decides). The day comes from `outlook.held_until`, the
same evaluation at future days that `keep` shows, so a warning and the move it announces cannot
disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from cstatus.rules_engine.domain.evaluate import VelocityPoints, evaluate
from cstatus.rules_engine.domain.facts import CustomerFacts
from cstatus.rules_engine.domain.measure import count_value
from cstatus.rules_engine.domain.model import Category, CountRule, Current, Status
from cstatus.rules_engine.domain.outlook import RULE_TYPES, held_until

__all__ = ["DowngradeWarning", "downgrade_warning"]


@dataclass(frozen=True, slots=True)
class DowngradeWarning:
    category_code: str
    status_code: str
    to_status_code: str | None
    on: date
    """The first day in `to_status_code`."""
    keep: dict[str, Any]
    warn_days: int


def _keeping(category: Category, held: Status, facts: CustomerFacts, on: date) -> dict[str, Any]:
    """What keeps `held` past `on`: for a count rule, how many more by the day before."""
    rule = held.rule
    found: dict[str, Any] = {"status_code": held.code}
    if rule is None:
        return found
    found["rule"] = RULE_TYPES[type(rule).__name__]
    if not isinstance(rule, CountRule):
        return found
    last = on - timedelta(days=1)
    decides = on if category.downgrade.mode == "immediate" else last
    value = count_value(rule, facts, datetime.combine(decides, time(), UTC)).value
    missing = max(rule.min - value, 1)
    return found | {
        "metric": rule.metric,
        "needs": str(missing) if isinstance(missing, Decimal) else missing,
        "window_days": rule.window_days,
        "by": last.isoformat(),
    }


def downgrade_warning(
    category: Category,
    facts: CustomerFacts,
    current: Current,
    now: datetime,
    velocity: VelocityPoints | None = None,
) -> DowngradeWarning | None:
    """The warning due for the customer now, or None: no `warn_days`, automation leaves the
    category alone or moves the customer today, or no move down falls within `warn_days`."""
    warn = category.downgrade.warn_days
    held = category.status(current.status_code)
    if warn <= 0 or held is None:
        return None
    decision = evaluate(category, facts, current, now, velocity)
    if decision is None or decision.status_code != held.code:
        return None
    found = held_until(category, facts, held.code, now, velocity)
    if found is None:
        return None
    on, then = found
    if not now.date() < on <= now.date() + timedelta(days=warn):
        return None
    lower = category.status(then)
    if lower is not None and lower.priority >= held.priority:
        return None  # a move up or sideways is not announced
    return DowngradeWarning(
        category.code, held.code, then, on, _keeping(category, held, facts, on), warn
    )
