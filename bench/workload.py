"""The upstream events the bench produces, encoded with the contracts (`new_event`/`encode`).

*Existing* customers got a first booking in the warm-up; their later events (future bookings,
past sales, payments, profile updates) change no status. A *new* customer's first booking makes
the rules engine propose relationship lead → client, a change whose explanation names it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cstatus.contracts import topics
from cstatus.contracts.customers import CustomerUpdated
from cstatus.contracts.envelope import EventData, encode, message_key, new_event
from cstatus.contracts.payments import PaymentCaptured
from cstatus.contracts.reservations import ReservationBooked
from cstatus.contracts.transactions import TransactionCompleted

__all__ = ["Message", "Workload"]

SOURCE = "bench"


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    key: bytes
    value: bytes
    event_id: str


class Workload:
    """Deterministic (seeded) events of one tenant; event ids are unique within a run."""

    def __init__(self, tenant: str, *, run_id: str, seed: int = 7) -> None:
        self.tenant = tenant
        self._run_id = run_id
        self._random = random.Random(seed)
        self._sequence = 0
        self._today = datetime.now(UTC).date()

    @staticmethod
    def existing(index: int) -> str:
        return f"c{index:07d}"

    @staticmethod
    def new(index: int) -> str:
        return f"n{index:07d}"

    def _next_id(self, kind: str) -> str:
        self._sequence += 1
        return f"{self._run_id}-{kind}-{self._sequence}"

    def _message(
        self, topic: str, customer: str, data: EventData, event_id: str, at: datetime
    ) -> Message:
        event = new_event(
            data, id=event_id, source=SOURCE, tenant=self.tenant, subject=customer, time=at
        )
        return Message(topic, message_key(self.tenant, customer), encode(event), event_id)

    def _future_arrival(self) -> date:
        return self._today + timedelta(days=self._random.randint(30, 180))

    def _past(self) -> datetime:
        """Some moment in the last year: no customer gets near the velocity rule."""
        return datetime.now(UTC) - timedelta(seconds=self._random.randint(3600, 365 * 86400))

    def first_booking(self, customer: str) -> Message:
        """A booking for later: the customer's first activity (lead → client)."""
        event_id = self._next_id("first")
        data = ReservationBooked(reservation_id=event_id, arrival_date=self._future_arrival())
        return self._message(
            topics.BOOKINGS_RESERVATIONS, customer, data, event_id, datetime.now(UTC)
        )

    def repeat(self, customer: str) -> Message:
        """An event of an existing customer that changes none of its statuses."""
        roll = self._random.random()
        amount = Decimal(self._random.randint(500, 50_000)) / 100
        if roll < 0.4:
            event_id = self._next_id("r")
            data: EventData = ReservationBooked(
                reservation_id=event_id, arrival_date=self._future_arrival(), channel="online"
            )
            return self._message(
                topics.BOOKINGS_RESERVATIONS, customer, data, event_id, datetime.now(UTC)
            )
        if roll < 0.75:
            event_id = self._next_id("t")
            data = TransactionCompleted(
                transaction_id=event_id, amount=amount, currency="EUR", points_earned=10
            )
            return self._message(topics.POS_TRANSACTIONS, customer, data, event_id, self._past())
        if roll < 0.9:
            event_id = self._next_id("p")
            data = PaymentCaptured(payment_id=event_id, amount=amount, currency="EUR")
            return self._message(topics.PAYMENTS, customer, data, event_id, self._past())
        event_id = self._next_id("u")
        data = CustomerUpdated(tags=(f"bench-{self._random.randint(1, 5)}",))
        return self._message(topics.CRM_CUSTOMERS, customer, data, event_id, datetime.now(UTC))

    def mixed(self, count: int, existing: int) -> list[Message]:
        """`count` events of `existing` warm customers, mostly changing nothing."""
        return [self.repeat(self.existing(self._random.randrange(existing))) for _ in range(count)]
