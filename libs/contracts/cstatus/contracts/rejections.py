"""`customer-status.rejections.v1`: commands and proposals the assignment service refused."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Code, TextId

__all__ = ["CUSTOMER_STATUS_REJECTED", "StatusRejected"]

CUSTOMER_STATUS_REJECTED = "customer_status.rejected"


class StatusRejected(EventData):
    """The command or proposal `ref_id` was not applied, for `reason_code` (e.g. `terminal`)."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_REJECTED

    ref_id: TextId
    category_code: Code
    status_code: Code | None = None
    reason_code: str = Field(pattern=r"^[a-z][a-z0-9_.]{0,63}$")
    message: str = Field(min_length=1, max_length=1000)
