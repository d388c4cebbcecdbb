"""A customer's activity facts, folded from events in any order, any number of times.

Every event is keyed by the business id it is about (reservation, transaction, payment, invoice,
redemption), and each fact records what each *kind* of event said about that id. Folding is
therefore commutative and idempotent: duplicated, late and out-of-order events (a cancellation
before its booking, a refund before its purchase) give exactly the facts of the ordered stream.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from types import MappingProxyType
from typing import Any

__all__ = [
    "ActivityEvent",
    "CustomerFacts",
    "Money",
    "Purchase",
    "Redemption",
    "Reservation",
    "fold",
]

Money = Decimal
ZERO = Decimal(0)

FIRST_ACTIVITY_TRIGGERS = frozenset(
    {
        "reservation.booked",
        "reservation.arrived",
        "invoice.issued",
        "payment.captured",
        "transaction.completed",
    }
)
"""Event types that make a customer 'active at least once' (SPEC §1 first_activity)."""


@dataclass(frozen=True, slots=True)
class ActivityEvent:
    """The part of an upstream event the rules need; `ref` is the business id it is about."""

    event_id: str
    type: str
    time: datetime
    ref: str
    amount: Money | None = None
    points: int | None = None
    arrival_date: date | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class Reservation:
    arrival_date: date | None = None
    booked_event: str | None = None
    booked_at: datetime | None = None
    cancelled: bool = False
    arrived: bool = False
    no_show: bool = False

    @property
    def counts(self) -> bool:
        """Booked and not cancelled (a no-show still held the booking)."""
        return self.arrival_date is not None and not self.cancelled


@dataclass(frozen=True, slots=True)
class Purchase:
    """A transaction, payment or invoice: its time and amount, and what was taken back."""

    time: datetime | None = None
    amount: Money | None = None
    event_id: str | None = None
    refunded: Money = ZERO
    cancelled: bool = False

    @property
    def net(self) -> Money:
        if self.amount is None or self.cancelled:
            return ZERO
        return max(ZERO, self.amount - self.refunded)

    @property
    def counts(self) -> bool:
        """Happened, and not wholly refunded or cancelled."""
        return (
            self.time is not None
            and not self.cancelled
            and (self.amount is None or self.amount == 0 or self.net > 0)
        )


@dataclass(frozen=True, slots=True)
class Redemption:
    time: datetime
    points: int
    event_id: str


@dataclass(frozen=True, slots=True)
class CustomerFacts:
    reservations: Mapping[str, Reservation] = field(default_factory=lambda: MappingProxyType({}))
    transactions: Mapping[str, Purchase] = field(default_factory=lambda: MappingProxyType({}))
    payments: Mapping[str, Purchase] = field(default_factory=lambda: MappingProxyType({}))
    invoices: Mapping[str, Purchase] = field(default_factory=lambda: MappingProxyType({}))
    redemptions: Mapping[str, Redemption] = field(default_factory=lambda: MappingProxyType({}))
    first_seen: Mapping[str, tuple[datetime, str]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    """Per first-activity trigger: the earliest (time, event id) it happened."""
    last_activity: datetime | None = None
    seen_events: frozenset[str] = frozenset()
    measured: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)
    """What `measure.count_value` found in these facts, by (metric, window, moment): the rules
    of one category (and a preview's two configurations) mostly measure alike. At most
    `MEASURED` entries. Not an init field, so facts made by `dataclasses.replace` start with a
    memo of their own instead of sharing one that may not fit them."""


def _later(event: ActivityEvent, time: datetime | None, event_id: str | None) -> bool:
    """Whether `event` supersedes what an earlier event set (the latest (time, id) wins, so
    the outcome does not depend on arrival order)."""
    return time is None or (event.time, event.event_id) > (time, event_id or "")


def _purchase_update(current: Purchase, event: ActivityEvent, kind: str) -> Purchase:
    if kind == "done":
        if not _later(event, current.time, current.event_id):
            return current
        return replace(current, time=event.time, amount=event.amount, event_id=event.event_id)
    if kind == "refund":
        return replace(current, refunded=current.refunded + (event.amount or ZERO))
    return replace(current, cancelled=True)


_PURCHASES = {
    "transaction.completed": ("transactions", "done"),
    "transaction.refunded": ("transactions", "refund"),
    "payment.captured": ("payments", "done"),
    "payment.refunded": ("payments", "refund"),
    "invoice.issued": ("invoices", "done"),
    "invoice.cancelled": ("invoices", "cancel"),
}


@dataclass(slots=True)
class _Folding:
    """Mutable copies of a `CustomerFacts` while events are folded in (one copy per fold, not
    one per event)."""

    reservations: dict[str, Reservation]
    purchases: dict[str, dict[str, Purchase]]
    redemptions: dict[str, Redemption]
    first_seen: dict[str, tuple[datetime, str]]
    last_activity: datetime | None
    seen_events: set[str]

    @classmethod
    def of(cls, facts: CustomerFacts) -> _Folding:
        return cls(
            dict(facts.reservations),
            {
                "transactions": dict(facts.transactions),
                "payments": dict(facts.payments),
                "invoices": dict(facts.invoices),
            },
            dict(facts.redemptions),
            dict(facts.first_seen),
            facts.last_activity,
            set(facts.seen_events),
        )

    def facts(self) -> CustomerFacts:
        return CustomerFacts(
            reservations=MappingProxyType(self.reservations),
            transactions=MappingProxyType(self.purchases["transactions"]),
            payments=MappingProxyType(self.purchases["payments"]),
            invoices=MappingProxyType(self.purchases["invoices"]),
            redemptions=MappingProxyType(self.redemptions),
            first_seen=MappingProxyType(self.first_seen),
            last_activity=self.last_activity,
            seen_events=frozenset(self.seen_events),
        )

    def apply(self, event: ActivityEvent) -> None:
        self.seen_events.add(event.event_id)
        kind = event.type
        if kind.startswith("reservation."):
            current = self.reservations.get(event.ref, _NO_RESERVATION)
            if kind == "reservation.booked":
                if _later(event, current.booked_at, current.booked_event):
                    current = Reservation(  # not `replace`: the hottest line of a fold
                        event.arrival_date,
                        event.event_id,
                        event.time,
                        current.cancelled,
                        current.arrived,
                        current.no_show,
                    )
            elif kind == "reservation.cancelled":
                current = replace(current, cancelled=True)
            elif kind == "reservation.arrived":
                current = replace(current, arrived=True)
            elif kind == "reservation.no_show":
                current = replace(current, no_show=True)
            self.reservations[event.ref] = current
        elif kind in _PURCHASES:
            attr, what = _PURCHASES[kind]
            existing = self.purchases[attr]
            existing[event.ref] = _purchase_update(
                existing.get(event.ref, _NO_PURCHASE), event, what
            )
        elif kind == "points.redeemed":
            held = self.redemptions.get(event.ref)
            if held is None or _later(event, held.time, held.event_id):
                self.redemptions[event.ref] = Redemption(
                    event.time, event.points or 0, event.event_id
                )
        if kind in FIRST_ACTIVITY_TRIGGERS:
            earlier = self.first_seen.get(kind)
            if earlier is None or (event.time, event.event_id) < earlier:
                self.first_seen[kind] = (event.time, event.event_id)
        if kind in _ACTIVITY and (self.last_activity is None or event.time > self.last_activity):
            self.last_activity = event.time


_NO_RESERVATION = Reservation()
_NO_PURCHASE = Purchase()
_ACTIVITY = FIRST_ACTIVITY_TRIGGERS | {"points.redeemed", "coupon.redeemed"}
"""Event types that move `last_activity`."""


def fold(events: Iterable[ActivityEvent], facts: CustomerFacts | None = None) -> CustomerFacts:
    """Apply events to facts; an event id already applied changes nothing."""
    folding = _Folding.of(facts or CustomerFacts())
    for event in events:
        if event.event_id not in folding.seen_events:
            folding.apply(event)
    return folding.facts()
