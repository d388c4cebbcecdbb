"""The events `rules_ingest.py` sends: one tenant's configuration (the seeded default categories
plus a loyalty category counting reservations), a warm-up per customer, and mixed events of warm
customers that change none of their statuses. Encoded with the contracts before the clock starts."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from cstatus.contracts import topics
from cstatus.contracts.changes import Explanation, StatusChanged, StatusRef
from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    CountRule,
    StatusConfig,
    TenantConfiguration,
)
from cstatus.contracts.customers import CustomerUpdated
from cstatus.contracts.envelope import EventData, encode, message_key, new_event, tenant_key
from cstatus.contracts.payments import PaymentCaptured
from cstatus.contracts.reservations import ReservationBooked
from cstatus.contracts.transactions import TransactionCompleted
from cstatus.status_config.domain.seed import default_categories

__all__ = ["Events", "Message"]

Message = tuple[str, bytes, bytes]
"""(topic, key, value)"""

UPSTREAM = (
    topics.BOOKINGS_RESERVATIONS,
    topics.POS_TRANSACTIONS,
    topics.PAYMENTS,
    topics.CRM_CUSTOMERS,
)
HELD = {"relationship": "client", "lifecycle": "active", "loyalty": "basic"}


def _loyalty() -> CategoryConfig:
    def status(code: str, priority: int, minimum: int | None) -> StatusConfig:
        rule = None
        if minimum is not None:
            rule = CountRule(type="count", metric="reservations", min=minimum, window_days=365)
        return StatusConfig(
            id=f"loyalty-{code}",
            code=code,
            name=code.title(),
            colour="#A0A0A0",
            priority=priority,
            is_default=minimum is None,
            rule=rule,
        )

    return CategoryConfig(
        id="loyalty",
        code="loyalty",
        name="Loyalty",
        update_mode="automatic",
        manual_override_allowed=True,
        statuses=(status("basic", 0, None), status("silver", 10, 5), status("gold", 20, 10)),
    )


class Events:
    """Seeded events of one tenant, encoded with the contracts."""

    def __init__(self, tenant: str, seed: int) -> None:
        self.tenant = tenant
        self._random = random.Random(seed)
        self._today = datetime.now(UTC).date()
        self._run = uuid.uuid4().hex[:8]
        self._sequence = 0

    def _id(self, kind: str) -> str:
        self._sequence += 1
        return f"{self._run}-{kind}-{self._sequence}"

    def _message(self, topic: str, customer: str, data: EventData, event_id: str) -> Message:
        at = datetime.now(UTC)
        if isinstance(data, TransactionCompleted | PaymentCaptured):  # long ago: no velocity
            at -= timedelta(seconds=self._random.randint(3600, 365 * 86400))
        event = new_event(
            data, id=event_id, source="bench", tenant=self.tenant, subject=customer, time=at
        )
        return topic, message_key(self.tenant, customer), encode(event)

    def config(self) -> Message:
        counter = iter(range(1_000_000))
        categories = (*default_categories(lambda kind: f"{kind}-{next(counter)}"), _loyalty())
        data = ConfigPublished(
            tenant=self.tenant, version=1, config=TenantConfiguration(categories=categories)
        )
        event = new_event(
            data,
            id=self._id("config"),
            source="bench",
            tenant=self.tenant,
            subject=self.tenant,
            time=datetime.now(UTC),
        )
        return topics.CONFIG, tenant_key(self.tenant), encode(event)

    def _arrival(self) -> date:
        return self._today + timedelta(days=self._random.randint(30, 180))

    def warm_up(self, customer: str) -> list[Message]:
        """A first booking and a holding in every category (what the assignment would apply)."""
        booking_id = self._id("first")
        booked = ReservationBooked(reservation_id=booking_id, arrival_date=self._arrival())
        found = [self._message(topics.BOOKINGS_RESERVATIONS, customer, booked, booking_id)]
        for category, code in HELD.items():
            change = StatusChanged(
                change_id=self._id("change"),
                category_code=category,
                from_=None,
                to=StatusRef(code=code, name=code.title()),
                source="automatic",
                actor="bench",
                explanation=Explanation(rule="bench"),
                effective_at=datetime.now(UTC),
                sequence=1,
                exclude_from_reports=False,
            )
            found.append(self._message(topics.STATUS_CHANGES, customer, change, self._id("c")))
        return found

    def repeat(self, customer: str) -> Message:
        """An event of a warm customer that changes none of its statuses."""
        roll = self._random.random()
        amount = Decimal(self._random.randint(500, 50_000)) / 100
        if roll < 0.4:
            event_id = self._id("r")
            data: EventData = ReservationBooked(
                reservation_id=event_id, arrival_date=self._arrival(), channel="online"
            )
            return self._message(topics.BOOKINGS_RESERVATIONS, customer, data, event_id)
        if roll < 0.75:
            event_id = self._id("t")
            data = TransactionCompleted(
                transaction_id=event_id, amount=amount, currency="EUR", points_earned=10
            )
            return self._message(topics.POS_TRANSACTIONS, customer, data, event_id)
        if roll < 0.9:
            event_id = self._id("p")
            data = PaymentCaptured(payment_id=event_id, amount=amount, currency="EUR")
            return self._message(topics.PAYMENTS, customer, data, event_id)
        event_id = self._id("u")
        data = CustomerUpdated(tags=(f"bench-{self._random.randint(1, 5)}",))
        return self._message(topics.CRM_CUSTOMERS, customer, data, event_id)

    def mixed(self, count: int, customers: int) -> list[Message]:
        return [self.repeat(f"c{self._random.randrange(customers):06d}") for _ in range(count)]
