"""`pos.transactions.v1`: sales, refunds and redemptions published by the point of sale."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import Field

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Amount, Currency, Points, TextId

__all__ = [
    "COUPON_REDEEMED",
    "POINTS_REDEEMED",
    "TRANSACTION_COMPLETED",
    "TRANSACTION_EVENTS",
    "TRANSACTION_REFUNDED",
    "CouponRedeemed",
    "PointsRedeemed",
    "TransactionCompleted",
    "TransactionRefunded",
]

TRANSACTION_COMPLETED = "transaction.completed"
TRANSACTION_REFUNDED = "transaction.refunded"
POINTS_REDEEMED = "points.redeemed"
COUPON_REDEEMED = "coupon.redeemed"


class TransactionCompleted(EventData):
    event_type: ClassVar[str] = TRANSACTION_COMPLETED

    transaction_id: TextId
    amount: Amount
    currency: Currency
    points_earned: Points | None = None
    store_id: TextId | None = None


class TransactionRefunded(EventData):
    """A (partial) refund of `transaction_id`; `amount` is the positive amount refunded."""

    event_type: ClassVar[str] = TRANSACTION_REFUNDED

    transaction_id: TextId
    amount: Amount


class PointsRedeemed(EventData):
    event_type: ClassVar[str] = POINTS_REDEEMED

    redemption_id: TextId
    points: Points


class CouponRedeemed(EventData):
    event_type: ClassVar[str] = COUPON_REDEEMED

    redemption_id: TextId
    coupon_code: str = Field(min_length=1, max_length=128)


TRANSACTION_EVENTS: Mapping[str, type[EventData]] = {
    model.event_type: model
    for model in (TransactionCompleted, TransactionRefunded, PointsRedeemed, CouponRedeemed)
}
