"""The days on which what a category's rules measure can change with no new activity: a counted
reservation, purchase or redemption leaving its window, a booked arrival day coming, an
inactivity period running out. Evaluating on these days (and on the first of a range) sees every
outcome the range holds (`domain/outlook.py` looks ahead, `domain/policy.py` back)."""

from __future__ import annotations

from datetime import date, timedelta

from cstatus.rules_engine.domain.facts import CustomerFacts
from cstatus.rules_engine.domain.model import Category, CountRule, InactivityRule

__all__ = ["measure_days"]


def measure_days(category: Category, facts: CustomerFacts, after: date, until: date) -> list[date]:
    """Those days in (`after`, `until`], in order."""
    days: set[date] = set()
    for status in category.statuses:
        rule = status.rule
        if status.archived or rule is None:
            continue
        if isinstance(rule, InactivityRule) and facts.last_activity is not None:
            days.add(facts.last_activity.date() + timedelta(days=rule.days))
        if not isinstance(rule, CountRule):
            continue
        window = rule.window_days
        if rule.metric == "reservations":
            for r in facts.reservations.values():
                if r.counts and r.arrival_date is not None:
                    days.add(r.arrival_date)  # counted from its arrival day
                    if window is not None:
                        days.add(r.arrival_date + timedelta(days=window + 1))
        elif window is not None:
            times = [r.time for r in facts.redemptions.values()]
            for source in (facts.transactions, facts.payments, facts.invoices):
                times += [p.time for p in source.values() if p.time is not None and p.counts]
            days.update(t.date() + timedelta(days=window + 1) for t in times)
    return sorted(d for d in days if after < d <= until)
