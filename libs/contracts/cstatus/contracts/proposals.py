"""`customer-status.proposals.v1` (internal): the rules engine's automatic decisions.

The assignment service applies a proposal, or rejects it, exactly once by `proposal_id`.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from cstatus.contracts.changes import Explanation
from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Code, TextId

__all__ = ["CUSTOMER_STATUS_PROPOSED", "StatusProposed"]

CUSTOMER_STATUS_PROPOSED = "customer_status.proposed"


class StatusProposed(EventData):
    """Automation wants the customer in `status_code` (`None`: no status) in `category_code`.

    `based_on_sequence` is the last change sequence the engine had seen for that category, so
    the assignment service can tell a stale proposal from a fresh one.
    """

    event_type: ClassVar[str] = CUSTOMER_STATUS_PROPOSED

    proposal_id: TextId
    category_code: Code
    status_code: Code | None
    explanation: Explanation
    evaluated_at: AwareDatetime
    based_on_sequence: int | None = Field(default=None, ge=0)
    config_version: int | None = Field(
        default=None,
        ge=0,
        description="the tenant's configuration version the decision was made with: a proposal "
        "naming a category or status the assignment service does not know yet, from a newer "
        "version than it has, waits for that version instead of being rejected",
    )
