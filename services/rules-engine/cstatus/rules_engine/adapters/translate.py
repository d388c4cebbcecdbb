"""Between the wire (contracts) and the domain: upstream events become `ActivityEvent`s, domain
explanations become the contract's `Explanation`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


_REFS = ("reservation_id", "transaction_id", "payment_id", "invoice_id", "redemption_id")
_WITH_AMOUNT = (
    ReservationBooked,
    TransactionCompleted,
    TransactionRefunded,
    PaymentCaptured,
    PaymentRefunded,
    InvoiceIssued,
)
_POINTS: dict[type[Any], str] = {PointsRedeemed: "points", TransactionCompleted: "points_earned"}


@dataclass(frozen=True, slots=True)
class _Shape:
    """Where a data model keeps what an `ActivityEvent` needs (found once per model)."""

    refs: tuple[str, ...]
    amount: bool
    points: str | None
    arrival: bool


_SHAPES: dict[type[Any], _Shape] = {}


def _shape(model: type[Any]) -> _Shape:
    found = _SHAPES.get(model)
    if found is None:
        fields = getattr(model, "model_fields", {})
        found = _SHAPES[model] = _Shape(
            tuple(name for name in _REFS if name in fields),
            issubclass(model, _WITH_AMOUNT),
            next((name for kind, name in _POINTS.items() if issubclass(model, kind)), None),
            issubclass(model, ReservationBooked),
        )
    return found


def activity_of(event: CloudEvent[Any]) -> ActivityEvent | None:
    """The activity an upstream event records, or None (customer directory events)."""
    data = event.data
    shape = _shape(type(data))
    for name in shape.refs:
        ref = getattr(data, name)
        if isinstance(ref, str):
            break
    else:
        return None
    amount = data.amount if shape.amount else None
    points = getattr(data, shape.points) if shape.points is not None else None
    arrival = data.arrival_date if shape.arrival else None
    currency = getattr(data, "currency", None)
    return ActivityEvent(event.id, event.type, event.time, ref, amount, points, arrival, currency)


def wire_explanation(
    explanation: Explanation,
    config_version: int | None = None,
    outlook: Mapping[str, Any] | None = None,
) -> changes.Explanation:
    return changes.Explanation(
        rule=explanation.rule,
        value=explanation.value,
        window=explanation.window,
        event_ids=explanation.event_ids[:MAX_EVENT_IDS],
        details=dict(explanation.details),
        config_version=config_version,
        keep=outlook["keep"] if outlook else None,
        next=outlook["next"] if outlook else None,
    )
