"""What a rule measures in a customer's facts at a moment: a value and the deciding event ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cstatus.rules_engine.domain.facts import CustomerFacts, Purchase
from cstatus.rules_engine.domain.model import CountRule, VelocityRule
from cstatus.rules_engine.domain.velocity import VelocityPoint, settle

__all__ = ["MEASURED", "Measure", "count_value", "velocity_peak"]


@dataclass(frozen=True, slots=True)
class Measure:
    value: int | Decimal
    event_ids: tuple[str, ...]


def _purchases_in(
    purchases: Iterable[Purchase], since: datetime | None, now: datetime
) -> list[Purchase]:
    return [
        p
        for p in purchases
        if p.counts and p.time is not None and p.time <= now and (since is None or p.time >= since)
    ]


MEASURED = 16
"""At most this many measures are remembered per `CustomerFacts`."""


def count_value(rule: CountRule, facts: CustomerFacts, now: datetime) -> Measure:
    """The rule's metric over its window ending `now` (SPEC §1 count); a measure of the same
    metric, window and moment is taken once per facts (it does not depend on `min`/`max`)."""
    key = (rule.metric, rule.window_days, now)
    memo = facts.measured
    found: Measure | None = memo.get(key)
    if found is None:
        if len(memo) >= MEASURED:
            memo.clear()
        found = memo[key] = _count_value(rule, facts, now)
    return found


def _count_value(rule: CountRule, facts: CustomerFacts, now: datetime) -> Measure:
    today = now.date()
    if rule.metric == "reservations":
        first_day = None if rule.window_days is None else today - timedelta(days=rule.window_days)
        held = sorted(
            (r.booked_event or ref)
            for ref, r in facts.reservations.items()
            if r.counts
            and r.arrival_date is not None
            and r.arrival_date <= today
            and (first_day is None or r.arrival_date >= first_day)
        )
        return Measure(len(held), tuple(held))
    since = None if rule.window_days is None else now - timedelta(days=rule.window_days)
    if rule.metric == "points_redeemed":
        found = [
            r
            for r in facts.redemptions.values()
            if r.time <= now and (since is None or r.time >= since)
        ]
        return Measure(sum(r.points for r in found), tuple(sorted(r.event_id for r in found)))
    source = {
        "transactions": facts.transactions,
        "spend": facts.transactions,
        "payments": facts.payments,
        "invoices": facts.invoices,
    }[rule.metric]
    found_p = _purchases_in(source.values(), since, now)
    ids = tuple(sorted(p.event_id for p in found_p if p.event_id))
    if rule.metric == "spend":
        return Measure(sum((p.net for p in found_p), Decimal(0)), ids)
    return Measure(len(found_p), ids)


def velocity_peak(
    rule: VelocityRule,
    facts: CustomerFacts,
    now: datetime,
    points: Sequence[VelocityPoint] | None = None,
) -> Measure:
    """The largest amount of the metric inside any window of `window_minutes` up to `now`, over
    the given velocity `points` (settled by the facts), or over all the facts when none given."""
    if points is None:
        settled = _points_in_facts(rule.metric, facts, now)
    else:
        settled = settle(rule.metric, points, facts, now)
    width = timedelta(minutes=rule.window_minutes)
    best, total, start = Decimal(0), Decimal(0), 0
    best_ids: tuple[str, ...] = ()
    for end, (time, amount, _) in enumerate(settled):
        total += amount
        while settled[start][0] <= time - width:
            total -= settled[start][1]
            start += 1
        if total > best:
            best, best_ids = total, tuple(e for _, _, e in settled[start : end + 1])
    value: int | Decimal = int(best) if rule.metric == "transactions" else best
    return Measure(value, best_ids)


def _points_in_facts(
    metric: str, facts: CustomerFacts, now: datetime
) -> list[tuple[datetime, Decimal, str]]:
    if metric == "points_redeemed":
        found = [
            (r.time, Decimal(r.points), r.event_id)
            for r in facts.redemptions.values()
            if r.time <= now
        ]
    else:
        found = [
            (p.time, Decimal(1) if metric == "transactions" else p.net, p.event_id or "")
            for p in facts.transactions.values()
            if p.time is not None and p.time <= now and p.counts
        ]
    return sorted(found)
