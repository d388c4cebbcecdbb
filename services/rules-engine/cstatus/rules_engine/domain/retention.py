"""How much of a customer's activity a tenant's rules can still see, so that what lies beyond
can be pruned without changing any decision (SPEC §3: tables that grow with traffic have a
retention).

A count rule with a window counts a business id (`ref`) by its latest deciding event — a
reservation by its latest booking's arrival date, a purchase by its latest `done` event — inside
`[now - window, now]`; as `now` only moves on, an id whose every event lies before the longest
window stays out of every window for good. So the activity of such an id may go, unless it
holds what other rules read from the whole history: the earliest event of each first-activity
trigger and the customer's latest activity (kept, with all the events of their ids). A rule that
counts without a window sees everything: a tenant with one keeps all its activity.
"""

from __future__ import annotations

from datetime import timedelta

from cstatus.rules_engine.domain.model import CountRule, InactivityRule, VelocityRule
from cstatus.rules_engine.domain.tenant import TenantRules

__all__ = ["activity_horizon"]


def activity_horizon(rules: TenantRules, keep_days: int) -> timedelta | None:
    """How far back the tenant's rules can see, at least `keep_days` (plus a day, so an event
    dated at a window's edge in another time zone is never lost); None: keep everything."""
    longest = timedelta(days=keep_days)
    for category in rules.categories:
        for status in category.statuses:
            rule = status.rule
            if isinstance(rule, CountRule):
                if rule.window_days is None:
                    return None
                longest = max(longest, timedelta(days=rule.window_days))
            elif isinstance(rule, InactivityRule):
                longest = max(longest, timedelta(days=rule.days))
            elif isinstance(rule, VelocityRule):
                longest = max(longest, timedelta(minutes=rule.window_minutes))
    return longest + timedelta(days=1)
