"""Between the wire (contracts) and the domain: upstream events become `ActivityEvent`s, domain
explanations become the contract's `Explanation`."""

from __future__ import annotations

from typing import Any

from cstatus.contracts import changes
from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.payments import (
    InvoiceIssued,
    PaymentCaptured,
    PaymentRefunded,
)
from cstatus.contracts.reservations import ReservationBooked
from cstatus.contracts.transactions import (
    PointsRedeemed,
    TransactionCompleted,
    TransactionRefunded,
)
from cstatus.rules_engine.domain.evaluate import Explanation
from cstatus.rules_engine.domain.facts import ActivityEvent

__all__ = ["MAX_EVENT_IDS", "activity_of", "wire_explanation"]

MAX_EVENT_IDS = 1000
"""The contract keeps at most this many deciding event ids (the earliest ones, sorted)."""


def _ref(data: Any) -> str | None:
    for name in ("reservation_id", "transaction_id", "payment_id", "invoice_id", "redemption_id"):
        value = getattr(data, name, None)
        if isinstance(value, str):
            return value
    return None


def activity_of(event: CloudEvent[Any]) -> ActivityEvent | None:
    """The activity an upstream event records, or None (customer directory events)."""
    data = event.data
    ref = _ref(data)
    if ref is None:
        return None
    amount = None
    if isinstance(
        data,
        ReservationBooked
        | TransactionCompleted
        | TransactionRefunded
        | PaymentCaptured
        | PaymentRefunded
        | InvoiceIssued,
    ):
        amount = data.amount
    points = None
    if isinstance(data, PointsRedeemed):
        points = data.points
    elif isinstance(data, TransactionCompleted):
        points = data.points_earned
    arrival = data.arrival_date if isinstance(data, ReservationBooked) else None
    return ActivityEvent(event.id, event.type, event.time, ref, amount, points, arrival)


def wire_explanation(explanation: Explanation) -> changes.Explanation:
    return changes.Explanation(
        rule=explanation.rule,
        value=explanation.value,
        window=explanation.window,
        event_ids=explanation.event_ids[:MAX_EVENT_IDS],
        details=dict(explanation.details),
    )
