"""A seeded, repeatable workload: tenants, their configuration, and an ordered list of steps.

Each tenant gets the seeded default categories plus `loyalty` (automatic, tiers by reservations)
and `account` (external, set by commands). Its customers produce every event type of SPEC §2 with
known ids, and the stream is made hard on purpose:

- duplicates: some events are sent again, byte for byte, later in the stream;
- reordering: cancellations before their booking, profile updates overtaking each other, a
  fraud burst published after a newer transaction (so the burst is older than the newest point),
  an older profile update published after the customer's erasure;
- poison: bad JSON, invalid data and an envelope tenant that differs from the key's, interleaved;
- people racing automation: manual VIP changes (pins), a bulk VIP job, manual suspensions, and
  external commands;
- configuration changes mid-stream: a rule edited and a status's properties changed.

The workload is plain data. `model.py` computes the expected outcome from it, `scenario.py` plays
it against the running services.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from cstatus.contracts import topics

__all__ = [
    "CATEGORIES",
    "ConfigChange",
    "Event",
    "HttpChange",
    "Poison",
    "Step",
    "Workload",
    "generate",
]

FIRST_ACTIVITY = (
    "reservation.booked",
    "reservation.arrived",
    "invoice.issued",
    "payment.captured",
    "transaction.completed",
)

# The tenant's categories as the workload declares them: statuses with priority, default flag,
# properties (beyond the defaults) and rule. The seeded two follow SPEC 1.6; the model reads this.
CATEGORIES: dict[str, dict[str, Any]] = {
    "relationship": {
        "seeded": True,
        "update_mode": "automatic",
        "statuses": {
            "lead": {"priority": 0, "default": True},
            "client": {"priority": 10, "rule": {"type": "first_activity"}},
            "inactive": {"priority": 20},
            "vip": {"priority": 30},
        },
    },
    "lifecycle": {
        "seeded": True,
        "update_mode": "automatic",
        "statuses": {
            "active": {"priority": 0, "default": True},
            "suspended": {
                "priority": 10,
                "properties": {"can_redeem": False, "transactions_are_outliers": True},
            },
            "internal": {"priority": 20},
            "fraud_suspected": {
                "priority": 30,
                "sticky": True,
                "properties": {"transactions_are_outliers": True},
                "rule": {"type": "velocity", "threshold": 20, "window_minutes": 60},
            },
            "fraud_confirmed": {"priority": 40},
            "deleted": {"priority": 50},
        },
    },
    "loyalty": {
        "seeded": False,
        "update_mode": "automatic",
        "statuses": {
            "bronze": {"priority": 0, "default": True},
            "silver": {
                "priority": 10,
                "rule": {"type": "count", "metric": "reservations", "min": 2, "window_days": 3650},
            },
            "gold": {
                "priority": 20,
                "properties": {"must_prepay_online": False},
                "rule": {"type": "count", "metric": "reservations", "min": 4, "window_days": 3650},
            },
        },
    },
    "account": {
        "seeded": False,
        "update_mode": "external",
        "statuses": {
            "standard": {"priority": 0, "default": True},
            "key_account": {"priority": 10, "properties": {"can_book_online": False}},
        },
    },
}


NEW_CATEGORY: dict[str, Any] = {
    "seeded": False,
    "update_mode": "manual",
    "statuses": {"standard": {"priority": 0, "default": True}, "premium": {"priority": 10}},
}
"""A category an admin adds mid-stream: its default must reach every existing customer."""


@dataclass(frozen=True, slots=True)
class Event:
    """A valid CloudEvent of a tenant's customer (its JSON is built by `value()`)."""

    topic: str
    tenant: str
    customer: str
    id: str
    type: str
    time: datetime
    data: dict[str, Any]
    actor: str | None = None

    def key(self) -> bytes:
        return f"{self.tenant}:{self.customer}".encode()

    def value(self) -> bytes:
        body: dict[str, Any] = {
            "specversion": "1.0",
            "id": self.id,
            "source": "reliability",
            "type": self.type,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "tenant": self.tenant,
            "subject": self.customer,
            "data": self.data,
        }
        if self.actor:
            body["actor"] = self.actor
        return json.dumps(body).encode()


@dataclass(frozen=True, slots=True)
class Poison:
    """A record no consumer can apply; `groups` say how many dead letters it must produce."""

    topic: str
    key: bytes
    value: bytes
    why: str


@dataclass(frozen=True, slots=True)
class HttpChange:
    """A person's change through assignment's API: one customer, or a bulk job of several."""

    kind: Literal["manual", "bulk"]
    tenant: str
    category: str
    status: str
    customers: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """An admin's configuration change through status-config's API."""

    tenant: str
    kind: Literal["rule_min", "properties", "new_category"]
    category: str
    status: str
    value: Any


Step = Event | Poison | HttpChange | ConfigChange


@dataclass
class Workload:
    seed: int
    tenants: tuple[str, ...]
    today: date
    steps: list[Step] = field(default_factory=list)

    @property
    def events(self) -> list[Event]:
        return [s for s in self.steps if isinstance(s, Event)]

    @property
    def poison(self) -> list[Poison]:
        return [s for s in self.steps if isinstance(s, Poison)]


def _customer_events(
    rng: random.Random, tenant: str, customer: str, now: datetime, ids: _Ids
) -> tuple[list[Event], list[Event]]:
    """A customer's valid events in publication order, and the ones to be sent again later."""
    out: list[Event] = []

    def event(topic: str, type_: str, at: datetime, data: dict[str, Any]) -> Event:
        e = Event(topic, tenant, customer, ids.next(type_), type_, at, data)
        out.append(e)
        return e

    crm = topics.CRM_CUSTOMERS
    start = now - timedelta(days=60, minutes=rng.randrange(0, 60 * 24 * 20))
    event(
        crm,
        "customer.created",
        start,
        {
            "customer_number": f"N{customer[-4:]}",
            "first_name": "Ann",
            "last_name": f"Test{customer[-4:]}",
            "email": f"{customer}@v0.example",
            "marketing_opt_in": rng.random() < 0.5,
        },
    )
    if rng.random() < 0.4:  # two updates, the newer one published first (overtaking)
        newer = {"email": f"{customer}@v2.example", "marketing_opt_in": rng.random() < 0.5}
        older = {"email": f"{customer}@v1.example", "marketing_opt_in": rng.random() < 0.5}
        event(crm, "customer.updated", start + timedelta(days=2), newer)
        event(crm, "customer.updated", start + timedelta(days=1), older)

    bookings = rng.choice((0, 0, 1, 2, 3, 4, 5, 6))
    for _ in range(bookings):
        rid = ids.next("r")
        arrival = now.date() - timedelta(days=rng.randrange(1, 300))
        booked_at = start + timedelta(hours=rng.randrange(1, 24 * 30))
        booked = {"reservation_id": rid, "arrival_date": arrival.isoformat(), "channel": "web"}
        roll = rng.random()
        if roll < 0.15:  # the cancellation overtakes its booking
            event(
                topics.BOOKINGS_RESERVATIONS,
                "reservation.cancelled",
                booked_at + timedelta(hours=1),
                {"reservation_id": rid},
            )
            event(topics.BOOKINGS_RESERVATIONS, "reservation.booked", booked_at, booked)
        elif roll < 0.3:
            event(topics.BOOKINGS_RESERVATIONS, "reservation.booked", booked_at, booked)
            event(
                topics.BOOKINGS_RESERVATIONS,
                "reservation.cancelled",
                booked_at + timedelta(hours=1),
                {"reservation_id": rid},
            )
        else:
            event(topics.BOOKINGS_RESERVATIONS, "reservation.booked", booked_at, booked)
            if rng.random() < 0.5:
                event(
                    topics.BOOKINGS_RESERVATIONS,
                    "reservation.arrived",
                    datetime.combine(arrival, datetime.min.time(), UTC) + timedelta(hours=15),
                    {"reservation_id": rid},
                )

    for _ in range(rng.choice((0, 0, 1, 2, 3))):
        event(
            topics.POS_TRANSACTIONS,
            "transaction.completed",
            start + timedelta(hours=rng.randrange(1, 24 * 40)),
            {"transaction_id": ids.next("t"), "amount": "12.50", "currency": "EUR"},
        )
    if rng.random() < 0.25:
        event(
            topics.PAYMENTS,
            "payment.captured",
            start + timedelta(hours=rng.randrange(1, 900)),
            {"payment_id": ids.next("p"), "amount": "99.00", "currency": "EUR"},
        )
    if rng.random() < 0.05:
        event(
            topics.PAYMENTS,
            "invoice.issued",
            start + timedelta(hours=rng.randrange(1, 900)),
            {"invoice_id": ids.next("i"), "amount": "50.00", "currency": "EUR"},
        )
    if rng.random() < 0.05:
        event(
            topics.POS_TRANSACTIONS,
            "points.redeemed",
            start + timedelta(hours=rng.randrange(1, 900)),
            {"redemption_id": ids.next("pr"), "points": 100},
        )

    if rng.random() < 0.04:  # a fraud burst, published after a newer transaction
        event(
            topics.POS_TRANSACTIONS,
            "transaction.completed",
            now - timedelta(hours=1),
            {"transaction_id": ids.next("t"), "amount": "5.00", "currency": "EUR"},
        )
        burst_start = now - timedelta(days=3)
        burst = [(burst_start + timedelta(minutes=2 * i), ids.next("t")) for i in range(25)]
        rng.shuffle(burst)
        for at, tid in burst:
            event(
                topics.POS_TRANSACTIONS,
                "transaction.completed",
                at,
                {"transaction_id": tid, "amount": "1.00", "currency": "EUR"},
            )

    if rng.random() < 0.03:  # erased; an older profile update arrives afterwards
        event(crm, "customer.erased", now - timedelta(minutes=5), {})
        event(
            crm,
            "customer.updated",
            start + timedelta(days=3),
            {"email": f"{customer}@late.example", "first_name": "Late"},
        )

    duplicates = [e for e in out if rng.random() < 0.06]
    return out, duplicates


class _Ids:
    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._n = 0

    def next(self, kind: str) -> str:
        self._n += 1
        return f"{self._prefix}{kind}-{self._n}"


def _poison(rng: random.Random, tenant: str, other: str, ids: _Ids) -> list[Poison]:
    customer = f"c-poison-{rng.randrange(10_000)}"
    key = f"{tenant}:{customer}".encode()
    booked = {"reservation_id": ids.next("r"), "arrival_date": "2026-01-01"}

    def envelope(tenant_: str, type_: str, data: dict[str, Any]) -> bytes:
        return json.dumps(
            {
                "specversion": "1.0",
                "id": ids.next("poison"),
                "source": "reliability",
                "type": type_,
                "time": "2026-01-01T00:00:00Z",
                "tenant": tenant_,
                "subject": customer,
                "data": data,
            }
        ).encode()

    return [
        Poison(topics.BOOKINGS_RESERVATIONS, key, b'{"specversion": "1.0", "id": ', "bad JSON"),
        Poison(topics.POS_TRANSACTIONS, key, b"\xff\xfe not json at all", "bad bytes"),
        Poison(
            topics.BOOKINGS_RESERVATIONS,
            key,
            envelope(tenant, "reservation.booked", {"reservation_id": "r-x"}),
            "invalid data: no arrival_date",
        ),
        Poison(
            topics.CRM_CUSTOMERS,
            key,
            envelope(tenant, "customer.updated", {"email": 17}),
            "invalid data: email",
        ),
        Poison(
            topics.BOOKINGS_RESERVATIONS,
            key,
            envelope(other, "reservation.booked", booked),
            "envelope tenant differs from the key's",
        ),
    ]


def _interleave(rng: random.Random, streams: list[list[Step]]) -> list[Step]:
    """Merge the streams at random, keeping each stream's own order."""
    merged: list[Step] = []
    cursors = [0] * len(streams)
    live = [i for i, s in enumerate(streams) if s]
    while live:
        i = rng.choice(live)
        merged.append(streams[i][cursors[i]])
        cursors[i] += 1
        if cursors[i] == len(streams[i]):
            live.remove(i)
    return merged


def generate(seed: int, run: str, *, tenants: int, customers: int, now: datetime) -> Workload:
    """The workload of `tenants` tenants `{run}-t{i}` with `customers` customers each."""
    rng = random.Random(seed)
    names = tuple(f"{run}-t{i}" for i in range(tenants))
    work = Workload(seed=seed, tenants=names, today=now.date())
    streams: list[list[Step]] = []
    later: list[Step] = []
    for index, tenant in enumerate(names):
        ids = _Ids(f"{tenant}-")
        people = [f"c{n:05d}" for n in range(customers)]
        for customer in people:
            events, again = _customer_events(rng, tenant, customer, now, ids)
            streams.append(list(events))
            later.extend(again)
        other = names[(index + 1) % len(names)] if len(names) > 1 else f"{run}-other"
        streams.append(list(_poison(rng, tenant, other, ids)))
        picks = rng.sample(people, k=max(4, customers // 8))
        quarter = max(1, len(picks) // 4)
        manual, bulk, suspended, keyed = (
            picks[:quarter],
            picks[quarter : 2 * quarter],
            picks[2 * quarter : 3 * quarter],
            picks[3 * quarter :],
        )
        people_steps: list[Step] = [
            HttpChange("manual", tenant, "relationship", "vip", (c,), "a regular") for c in manual
        ]
        people_steps.append(HttpChange("bulk", tenant, "relationship", "vip", tuple(bulk), "gala"))
        people_steps += [
            HttpChange("manual", tenant, "lifecycle", "suspended", (c,), "chargeback")
            for c in suspended
        ]
        people_steps += [
            Event(
                topics.COMMANDS,
                tenant,
                c,
                ids.next("cmd"),
                "customer_status.assign",
                now,
                {"category_code": "account", "status_code": "key_account", "reason": "crm"},
                actor="crm-sync",
            )
            for c in keyed
        ]
        rng.shuffle(people_steps)
        streams.append(people_steps)
    steps = _interleave(rng, streams)
    for step in later:  # duplicates: somewhere after their first send
        steps.insert(rng.randrange(len(steps) // 2, len(steps) + 1), step)
    for tenant in names:  # configuration changes mid-stream
        steps.insert(len(steps) // 2, ConfigChange(tenant, "rule_min", "loyalty", "gold", 3))
        steps.insert(
            (len(steps) * 3) // 5,
            ConfigChange(tenant, "properties", "loyalty", "silver", {"must_prepay_online": True}),
        )
        steps.insert((len(steps) * 7) // 10, ConfigChange(tenant, "new_category", "segment", "", 0))
    work.steps = steps
    return work
