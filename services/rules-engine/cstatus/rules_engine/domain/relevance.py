"""Which events can move which decision. A category's decision is a function of the customer's
facts, its own holding and the time; an event of a type that none of the category's rules reads
leaves its facts as they were, so evaluating the category again on it can only repeat the last
answer — or find what time alone changed, which is the daily sweep's job.

A rule reads the event types that change what it measures (see `facts.fold`): `reservation.*`
for reservations, `transaction.completed`/`refunded` for transactions and spend (and velocity),
`payment.*` and `invoice.*` for theirs, `points.redeemed` for redemptions, its triggers for a
first-activity rule and every activity type for an inactivity rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from cstatus.rules_engine.domain.facts import FIRST_ACTIVITY_TRIGGERS
from cstatus.rules_engine.domain.metrics import ANY_RESERVATION, METRICS
from cstatus.rules_engine.domain.model import (
    Category,
    FirstActivityRule,
    InactivityRule,
    Rule,
)

__all__ = ["ANY_RESERVATION", "category_reads", "kinds_of", "rule_reads", "types_read"]

_ACTIVITY = FIRST_ACTIVITY_TRIGGERS | {"points.redeemed", "coupon.redeemed"}


def kinds_of(event_type: str) -> tuple[str, ...]:
    """The names under which a rule may read `event_type`."""
    if event_type.startswith("reservation."):
        return (event_type, ANY_RESERVATION)
    return (event_type,)


def rule_reads(rule: Rule) -> frozenset[str]:
    if isinstance(rule, FirstActivityRule):
        return frozenset(rule.triggers)
    if isinstance(rule, InactivityRule):
        return _ACTIVITY
    return METRICS[rule.metric].reads  # a count or a velocity rule


def category_reads(categories: Iterable[Category]) -> Mapping[str, frozenset[str]]:
    """Event kind -> codes of the categories with a live rule that reads it."""
    found: dict[str, set[str]] = {}
    for category in categories:
        for status in category.statuses:
            if status.rule is not None and not status.archived:
                for kind in rule_reads(status.rule):
                    found.setdefault(kind, set()).add(category.code)
    return MappingProxyType({k: frozenset(v) for k, v in found.items()})


def types_read(categories: Iterable[Category]) -> frozenset[str] | None:
    """The event kinds the categories' live rules read (`ANY_RESERVATION` for every
    `reservation.` type), or None when one reads every activity (an inactivity rule): evaluating
    them on a history of only these kinds decides exactly as on the whole history."""
    found: set[str] = set()
    for category in categories:
        for status in category.statuses:
            if status.rule is None or status.archived:
                continue
            if isinstance(status.rule, InactivityRule):
                return None
            found |= rule_reads(status.rule)
    return frozenset(found)
