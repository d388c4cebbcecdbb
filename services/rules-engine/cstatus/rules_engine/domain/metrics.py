"""What each metric a rule can measure is made of (SPEC §1 count and velocity rules), once: the
event type that dates what it counts, and the event kinds that change it. `facts.fold` is where
the events become the facts these name; `relevance`, `sight` and `velocity` read this table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = ["ANY_RESERVATION", "METRICS", "Metric"]

ANY_RESERVATION = "reservation.*"
"""Stands for every `reservation.` type (each one changes the reservation it is about)."""


@dataclass(frozen=True, slots=True)
class Metric:
    done: str | None
    """The event type that dates what the metric counts (a sale, a capture, an invoice, a
    redemption); None for reservations, dated by their arrival day."""
    reads: frozenset[str]
    """The event kinds that change what it measures."""


_SALES = frozenset({"transaction.completed", "transaction.refunded"})

METRICS: Mapping[str, Metric] = MappingProxyType(
    {
        "reservations": Metric(None, frozenset({ANY_RESERVATION})),
        "transactions": Metric("transaction.completed", _SALES),
        "spend": Metric("transaction.completed", _SALES),
        "payments": Metric("payment.captured", frozenset({"payment.captured", "payment.refunded"})),
        "invoices": Metric("invoice.issued", frozenset({"invoice.issued", "invoice.cancelled"})),
        "points_redeemed": Metric("points.redeemed", frozenset({"points.redeemed"})),
    }
)
