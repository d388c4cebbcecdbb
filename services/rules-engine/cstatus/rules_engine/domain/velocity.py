"""Velocity points: the events a `velocity` rule measures, wherever they were kept.

A point is one `transaction.completed` (metrics `transactions` and `spend`) or `points.redeemed`
(metric `points_redeemed`) with its time, business id (`ref`), event id and value (amount or
points). Points may come from a window store or be derived from the stored activity; both give
the same decision because:

- only the *recent* points count: those within the tenant's longest velocity window of the
  customer's newest point (`recent`), which is all a store trimmed that way keeps;
- the facts settle them (`settle`): a point counts only if it is the event the facts keep for its
  business id (the latest (time, event id), as in `fold`); a transaction wholly refunded does not
  count and a partly refunded one counts its net amount.

A point store may hold more than that (points of events never committed, points older than the
horizon): `recent` and `settle` drop them. It must never hold fewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts

__all__ = ["METRIC_EVENTS", "VelocityPoint", "points_of", "recent", "settle"]

METRIC_EVENTS = {
    "transactions": "transaction.completed",
    "spend": "transaction.completed",
    "points_redeemed": "points.redeemed",
}
"""The event type each velocity metric measures."""


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


def recent(points: Iterable[VelocityPoint], horizon_minutes: int) -> list[VelocityPoint]:
    """The points within `horizon_minutes` of the newest one."""
    chosen = list(points)
    if not chosen:
        return []
    newest = max(p.time for p in chosen)
    since = newest - timedelta(minutes=horizon_minutes)
    return [p for p in chosen if p.time >= since]


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
