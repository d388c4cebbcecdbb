"""Velocity points: the events a `velocity` rule measures.

A point is one `transaction.completed` (metrics `transactions` and `spend`) or `points.redeemed`
(metric `points_redeemed`) with its time, business id (`ref`), event id and value (amount or
points). The facts settle them (`settle`): a point counts only if it is the event the facts keep
for its business id (the latest (time, event id), as in `fold`); a transaction wholly refunded
does not count and a partly refunded one counts its net amount. Points of events that are not the
kept one, or later than the moment measured, are dropped by `settle`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts
from cstatus.rules_engine.domain.metrics import METRICS

__all__ = [
    "METRIC_EVENTS",
    "VELOCITY_EVENTS",
    "VelocityPoint",
    "points_by_metric",
    "points_of",
    "settle",
]

METRIC_EVENTS: Mapping[str, str] = {
    m: done for m in ("transactions", "spend", "points_redeemed") if (done := METRICS[m].done)
}
"""The event type each velocity metric measures (`domain/metrics.py`)."""

VELOCITY_EVENTS = frozenset({"transaction.completed", "transaction.refunded", "points.redeemed"})
"""The event types that move a velocity point: the points themselves, and refunds."""


@dataclass(frozen=True, slots=True)
class VelocityPoint:
    time: datetime
    ref: str
    event_id: str
    value: Decimal


def points_of(events: Iterable[ActivityEvent], metric: str) -> list[VelocityPoint]:
    """The points of `metric` among stored activity events (any order, duplicates included)."""
    kind = METRIC_EVENTS[metric]
    found: dict[str, VelocityPoint] = {}
    for e in events:
        if e.type == kind:
            raw = e.points if metric == "points_redeemed" else e.amount
            found[e.event_id] = VelocityPoint(e.time, e.ref, e.event_id, Decimal(raw or 0))
    return sorted(found.values(), key=lambda p: (p.time, p.event_id))


def points_by_metric(
    metrics: Iterable[str], events: Iterable[ActivityEvent]
) -> dict[str, list[VelocityPoint]]:
    """Every point of each metric among `events`: a rule matches when its threshold is passed in
    *any* window, so a late event's burst counts as an early one's."""
    listed = list(events)
    return {m: points_of(listed, m) for m in metrics}


def settle(
    metric: str, points: Iterable[VelocityPoint], facts: CustomerFacts, now: datetime
) -> list[tuple[datetime, Decimal, str]]:
    """(time, value, event id) of each point that counts at `now`: the event the facts keep for
    its business id, not wholly refunded; spend counts the net amount."""
    settled: dict[str, tuple[datetime, Decimal, str]] = {}
    for p in points:
        if p.time > now or p.event_id in settled:
            continue
        if metric == "points_redeemed":
            redemption = facts.redemptions.get(p.ref)
            if redemption is not None and redemption.event_id == p.event_id:
                settled[p.event_id] = (p.time, Decimal(redemption.points), p.event_id)
            continue
        purchase = facts.transactions.get(p.ref)
        if purchase is None or purchase.event_id != p.event_id or not purchase.counts:
            continue
        value = Decimal(1) if metric == "transactions" else purchase.net
        settled[p.event_id] = (p.time, value, p.event_id)
    return sorted(settled.values())
