"""`payments.v1`: payments and invoices published by the payment system."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Amount, Currency, TextId

__all__ = [
    "INVOICE_CANCELLED",
    "INVOICE_ISSUED",
    "PAYMENT_CAPTURED",
    "PAYMENT_EVENTS",
    "PAYMENT_REFUNDED",
    "InvoiceCancelled",
    "InvoiceIssued",
    "PaymentCaptured",
    "PaymentRefunded",
]

PAYMENT_CAPTURED = "payment.captured"
PAYMENT_REFUNDED = "payment.refunded"
INVOICE_ISSUED = "invoice.issued"
INVOICE_CANCELLED = "invoice.cancelled"


class PaymentCaptured(EventData):
    event_type: ClassVar[str] = PAYMENT_CAPTURED

    payment_id: TextId
    amount: Amount
    currency: Currency


class PaymentRefunded(EventData):
    """A (partial) refund of `payment_id`; `amount` is the positive amount refunded."""

    event_type: ClassVar[str] = PAYMENT_REFUNDED

    payment_id: TextId
    amount: Amount


class InvoiceIssued(EventData):
    event_type: ClassVar[str] = INVOICE_ISSUED

    invoice_id: TextId
    amount: Amount
    currency: Currency


class InvoiceCancelled(EventData):
    event_type: ClassVar[str] = INVOICE_CANCELLED

    invoice_id: TextId


PAYMENT_EVENTS: Mapping[str, type[EventData]] = {
    model.event_type: model
    for model in (PaymentCaptured, PaymentRefunded, InvoiceIssued, InvoiceCancelled)
}
