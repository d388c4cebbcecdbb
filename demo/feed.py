"""The simulated upstream feed: CRM, booking, POS and payment events over the past ~14 months.

Everything is drawn from one seeded `random.Random`, so a seed gives the same feed (relative
to `now`). Event times never lie in the future; bookings may arrive in the future.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from cstatus.contracts.customers import CustomerCreated
from cstatus.contracts.envelope import EventData
from cstatus.contracts.payments import InvoiceIssued, PaymentCaptured, PaymentRefunded
from cstatus.contracts.reservations import (
    ReservationArrived,
    ReservationBooked,
    ReservationCancelled,
    ReservationNoShow,
)
from cstatus.contracts.topics import (
    BOOKINGS_RESERVATIONS,
    CRM_CUSTOMERS,
    PAYMENTS,
    POS_TRANSACTIONS,
)
from cstatus.contracts.transactions import TransactionCompleted, TransactionRefunded
from demo.people import Customer, people

__all__ = ["SPAN", "Feed", "FeedEvent", "simulate", "transaction"]

SPAN = timedelta(days=425)
"""How far back the simulated history reaches (~14 months)."""
DORMANT_SINCE = timedelta(days=230)
"""Dormant customers have had no activity for at least this long."""
BURST_SIZE = 25
"""Transactions of the burst customer within 45 minutes (the default velocity rule: > 20 in 60)."""

_SOURCES = {
    CRM_CUSTOMERS: "crm",
    BOOKINGS_RESERVATIONS: "booking-system",
    POS_TRANSACTIONS: "pos",
    PAYMENTS: "payments",
}


@dataclass(frozen=True, slots=True)
class FeedEvent:
    topic: str
    subject: str
    time: datetime
    data: EventData

    @property
    def source(self) -> str:
        return _SOURCES[self.topic]


@dataclass(frozen=True, slots=True)
class Feed:
    customers: tuple[Customer, ...]
    events: tuple[FeedEvent, ...]
    """Sorted by time; the first is the `customer.created` of the earliest customer."""
    burst_customer: str
    """The customer whose burst of transactions should make them `fraud_suspected`."""

    @property
    def active(self) -> int:
        """Customers with any activity (they should all leave `lead`)."""
        return sum(1 for c in self.customers if c.kind != "lead")


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def transaction(customer: str, transaction_id: str, at: datetime, amount: Decimal) -> FeedEvent:
    """A completed POS sale in EUR, one point per euro."""
    data = TransactionCompleted(
        transaction_id=transaction_id,
        amount=amount,
        currency="EUR",
        points_earned=int(amount),
        store_id="shop-1",
    )
    return FeedEvent(POS_TRANSACTIONS, customer, at, data)


@dataclass
class _Simulator:
    rng: random.Random
    now: datetime
    events: list[FeedEvent] = field(default_factory=list)
    _next_ref: int = 0

    def ref(self, prefix: str) -> str:
        self._next_ref += 1
        return f"{prefix}-{self._next_ref:07d}"

    def add(self, event: FeedEvent) -> None:
        if event.time <= self.now:
            self.events.append(event)

    def emit(self, topic: str, customer: str, at: datetime, data: EventData) -> None:
        self.add(FeedEvent(topic, customer, at, data))

    def between(self, start: datetime, end: datetime) -> datetime:
        return start + (end - start) * self.rng.random()

    def customer(self, c: Customer, start: datetime) -> None:
        if c.kind == "dormant":
            created = self.between(start, start + SPAN * 0.25)
            active_until = self.now - DORMANT_SINCE
        else:
            created = self.between(start, self.now - timedelta(days=20))
            active_until = self.now
        profile = CustomerCreated(
            customer_number=c.number,
            first_name=c.first_name,
            last_name=c.last_name,
            email=c.email,
            marketing_opt_in=c.marketing_opt_in,
        )
        self.emit(CRM_CUSTOMERS, c.id, created, profile)
        # Dormant customers also arrived before `active_until`; regulars may book future stays.
        longest_lead = 14 if c.kind == "dormant" else 60
        last_booking = active_until - timedelta(days=longest_lead if c.kind == "dormant" else 0)
        for _ in range(c.bookings):
            booked = self.between(created, last_booking)
            booked = max(booked, created + timedelta(minutes=5))
            arrival = (booked + timedelta(days=self.rng.randint(1, longest_lead))).date()
            self.reservation(c.id, booked, arrival)

    def reservation(self, customer: str, booked: datetime, arrival: date) -> None:
        rng, reservation_id = self.rng, self.ref("r")
        nights = rng.randint(1, 7)
        departure = arrival + timedelta(days=nights)
        amount = _money(rng, 60, 180) * nights
        data = ReservationBooked(
            reservation_id=reservation_id,
            arrival_date=arrival,
            departure_date=departure,
            channel=rng.choice(("online", "online", "phone", "walk-in")),
            amount=amount,
            currency="EUR",
        )
        self.emit(BOOKINGS_RESERVATIONS, customer, booked, data)
        arrives = datetime.combine(arrival, time(15), UTC)
        outcome = rng.random()
        if outcome < 0.10:
            cancelled = self.between(booked, min(arrives, self.now))
            self.emit(
                BOOKINGS_RESERVATIONS,
                customer,
                cancelled,
                ReservationCancelled(reservation_id=reservation_id),
            )
        elif outcome < 0.16:
            no_show = arrives + timedelta(hours=6)
            self.emit(
                BOOKINGS_RESERVATIONS,
                customer,
                no_show,
                ReservationNoShow(reservation_id=reservation_id),
            )
        else:
            self.emit(
                BOOKINGS_RESERVATIONS,
                customer,
                arrives,
                ReservationArrived(reservation_id=reservation_id),
            )
            self.stay(customer, arrives, departure, amount)

    def stay(self, customer: str, arrives: datetime, departure: date, amount: Decimal) -> None:
        rng = self.rng
        leaves = datetime.combine(departure, time(10), UTC)
        payment_id = self.ref("p")
        paid = arrives + timedelta(hours=1)
        self.emit(
            PAYMENTS,
            customer,
            paid,
            PaymentCaptured(payment_id=payment_id, amount=amount, currency="EUR"),
        )
        if rng.random() < 0.04:
            partial = (amount * Decimal("0.2")).quantize(Decimal("0.01"))
            self.emit(
                PAYMENTS, customer, leaves, PaymentRefunded(payment_id=payment_id, amount=partial)
            )
        invoice = InvoiceIssued(invoice_id=self.ref("inv"), amount=amount, currency="EUR")
        self.emit(PAYMENTS, customer, leaves, invoice)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            transaction_id, sold = self.ref("t"), self.between(arrives, leaves)
            price = _money(rng, 5, 120)
            self.add(transaction(customer, transaction_id, sold, price))
            if rng.random() < 0.05:
                refund = TransactionRefunded(transaction_id=transaction_id, amount=price)
                self.emit(POS_TRANSACTIONS, customer, sold + timedelta(hours=2), refund)

    def burst(self, customer: str) -> None:
        """More than 20 transactions within an hour: the default velocity rule's fraud signal."""
        start = self.now - timedelta(days=3, hours=2)
        for n in range(BURST_SIZE):
            at = start + timedelta(minutes=n * 45 / BURST_SIZE)
            self.add(transaction(customer, self.ref("t"), at, _money(self.rng, 20, 90)))


def simulate(count: int, now: datetime, seed: int = 7) -> Feed:
    """The feed of `count` customers up to `now` (at least 10 customers)."""
    rng = random.Random(seed)
    customers = people(max(count, 10), rng)
    simulator = _Simulator(rng, now)
    for c in customers:
        simulator.customer(c, now - SPAN)
    burst = next(c for c in customers if c.kind == "regular").id
    simulator.burst(burst)
    events = sorted(simulator.events, key=lambda e: e.time)
    return Feed(tuple(customers), tuple(events), burst)
