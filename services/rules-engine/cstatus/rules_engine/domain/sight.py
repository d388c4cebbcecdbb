"""What the rules of some categories can still see of a customer's activity at a moment: the
part of its history a decision needs, so that the cost of an event does not grow with how much
history its customer has (issue 19).

A decision on `visible` facts equals the decision on the whole history because:

- every business id (`ref`) kept is kept with *all* its events, so each kept reservation,
  purchase and redemption is folded exactly as from the whole history (`facts.fold`);
- a count rule counts only ids whose deciding event lies in its window (a reservation by its
  latest booking's arrival date, a purchase or redemption by its latest `done` event's time), and
  every id with *any* such event in the window is kept: the latest one is then among its events;
- `first_seen` and `last_activity` are taken from the earliest event of each first-activity
  trigger and the latest activity event of the whole history;
- a velocity rule sees the points within its longest window of the *anchors* (the batch's new
  points and the purchases its refunds are about), so every window containing an anchor is
  measured whole. Windows elsewhere were measured when their own points arrived: had one passed
  the threshold, the customer would have been moved then. Where that may not hold (the customer
  holds the velocity status, or a change of it arrived) the caller decides on the whole history
  (`needs_whole_history`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from cstatus.rules_engine.domain.facts import (
    FIRST_ACTIVITY_TRIGGERS,
    ActivityEvent,
    CustomerFacts,
    fold,
)
from cstatus.rules_engine.domain.metrics import METRICS
from cstatus.rules_engine.domain.model import (
    Category,
    CountRule,
    FirstActivityRule,
    InactivityRule,
    Rule,
    VelocityRule,
)
from cstatus.rules_engine.domain.velocity import METRIC_EVENTS

__all__ = [
    "ACTIVITY_TYPES",
    "DONE_TYPES",
    "EVER",
    "NO_FACTS",
    "Sight",
    "needs_whole_history",
    "sight_of",
    "sight_of_rules",
    "visible",
]

EVER = datetime.min.replace(tzinfo=UTC)
"""`since` of a rule without a window: every event up to now."""

ACTIVITY_TYPES = FIRST_ACTIVITY_TRIGGERS | {"points.redeemed", "coupon.redeemed"}
"""The event types that move `last_activity` (as in `facts.fold`)."""

DONE_TYPES: Mapping[str, str] = {m: done for m, x in METRICS.items() if (done := x.done)}
"""Per count metric other than reservations, the event type that dates what it counts."""


@dataclass(frozen=True, slots=True)
class Sight:
    """The part of a customer's history some categories' rules read at `now`."""

    now: datetime
    arrivals: tuple[date, date] | None = None
    """Reservations whose booking arrives in [first, last] day (None: no reservations rule)."""
    done_since: tuple[tuple[str, datetime], ...] = ()
    """(`done` event type, the earliest time a count rule counts (`EVER`: no window)), by type."""
    triggers: frozenset[str] = frozenset()
    """First-activity triggers whose earliest event a rule reads."""
    last_activity: bool = False
    """Whether an inactivity rule reads the latest activity."""
    velocity_minutes: int = 0
    """The longest velocity window (0: no velocity rule)."""
    velocity_types: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return (
            self.arrivals is None
            and not self.done_since
            and not self.triggers
            and not self.last_activity
            and not self.velocity_minutes
        )


def sight_of(categories: Iterable[Category], now: datetime) -> Sight:
    """What the live rules of `categories` can see at `now`."""
    return sight_of_rules(
        (s.rule for c in categories for s in c.statuses if s.rule is not None and not s.archived),
        now,
    )


def sight_of_rules(rules: Iterable[Rule], now: datetime) -> Sight:
    """What `rules` can see at `now`."""
    today = now.date()
    first_arrival: date | None = None
    reads_reservations = False
    done: dict[str, datetime] = {}
    triggers: set[str] = set()
    last = False
    minutes = 0
    velocity: set[str] = set()
    for rule in rules:
        if isinstance(rule, CountRule) and rule.metric == "reservations":
            reads_reservations = True
            start = date.min if rule.window_days is None else today - timedelta(rule.window_days)
            first_arrival = start if first_arrival is None else min(first_arrival, start)
        elif isinstance(rule, CountRule):
            kind = DONE_TYPES[rule.metric]
            since = EVER if rule.window_days is None else now - timedelta(rule.window_days)
            done[kind] = min(done.get(kind, since), since)
        elif isinstance(rule, FirstActivityRule):
            triggers |= rule.triggers & FIRST_ACTIVITY_TRIGGERS
        elif isinstance(rule, InactivityRule):
            last = True
        elif isinstance(rule, VelocityRule):
            minutes = max(minutes, rule.window_minutes)
            velocity.add(METRIC_EVENTS[rule.metric])
    arrivals = (first_arrival, today) if reads_reservations and first_arrival else None
    done_since = tuple(sorted(done.items()))
    return Sight(now, arrivals, done_since, frozenset(triggers), last, minutes, frozenset(velocity))


def needs_whole_history(category: Category, held_code: str | None, changed: bool) -> bool:
    """Whether a decision on this category must read the whole history: it has a velocity rule
    and a change of it arrived, or the customer holds its velocity status (a window away from
    the anchors may be what keeps it there), or its downgrade policy looks back beyond what the
    rules see today (SPEC 1.7: whether the held status matched on a past day)."""
    if category.downgrade.mode != "immediate":
        return True
    velocity = [s for s in category.statuses if isinstance(s.rule, VelocityRule) and not s.archived]
    if not velocity:
        return False
    return changed or any(s.code == held_code for s in velocity)


def _selected_refs(
    events: Sequence[ActivityEvent], sight: Sight, anchors: Collection[str]
) -> set[str]:
    refs: set[str] = set()
    window = timedelta(minutes=sight.velocity_minutes)
    done_since = dict(sight.done_since)
    anchor_times = [e.time for e in events if e.ref in anchors and e.type in sight.velocity_types]
    for e in events:
        if (
            sight.arrivals is not None
            and e.type == "reservation.booked"
            and e.arrival_date is not None
            and sight.arrivals[0] <= e.arrival_date <= sight.arrivals[1]
        ):
            refs.add(e.ref)
        since = done_since.get(e.type)
        if since is not None and since <= e.time <= sight.now:
            refs.add(e.ref)
        if e.type in sight.velocity_types and any(
            t - window <= e.time <= t + window for t in anchor_times
        ):
            refs.add(e.ref)
    return refs


def visible(
    events: Sequence[ActivityEvent], sight: Sight, anchors: Collection[str] = ()
) -> tuple[CustomerFacts, list[ActivityEvent]]:
    """The facts and the events (every event of each kept business id) a decision under `sight`
    reads, from a customer's whole history; `anchors` are the refs of the batch's velocity
    events. The SQL of `adapters/activity_store.load_visible` selects the same."""
    refs = _selected_refs(events, sight, anchors)
    kept = [e for e in events if e.ref in refs]
    first: dict[str, tuple[datetime, str]] = {}
    for e in events:
        if e.type in sight.triggers and (
            e.type not in first or (e.time, e.event_id) < first[e.type]
        ):
            first[e.type] = (e.time, e.event_id)
    latest = max((e.time for e in events if e.type in ACTIVITY_TYPES), default=None)
    return with_edges(fold(kept), first, latest if sight.last_activity else None), kept


def with_edges(
    facts: CustomerFacts, first: Mapping[str, tuple[datetime, str]], last: datetime | None
) -> CustomerFacts:
    """`facts` of the kept ids, with the first-activity and last-activity facts of the whole
    history (the kept ids alone would give a partial one)."""
    if not first and last is None and facts is NO_FACTS:
        return NO_FACTS  # most customers of a batch: nothing kept (shared, immutable)
    return replace(facts, first_seen=dict(first), last_activity=last)


NO_FACTS = CustomerFacts()
"""The facts of no events (immutable, so shared)."""
