"""`customer-status.outliers.v1`: transactions flagged because of the customer's status."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Code, TextId

__all__ = ["TRANSACTION_OUTLIER", "TransactionOutlier"]

TRANSACTION_OUTLIER = "transaction.outlier"


class TransactionOutlier(EventData):
    """`transaction_id` is an outlier because the customer holds `status_code`."""

    event_type: ClassVar[str] = TRANSACTION_OUTLIER

    transaction_id: TextId
    reason: str = Field(min_length=1, max_length=500)
    status_code: Code
