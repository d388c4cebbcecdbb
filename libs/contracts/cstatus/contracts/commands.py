"""`customer-status.commands.v1`: status changes requested by people and external systems.

Commands travel in a `CommandEvent` (the envelope with a mandatory `actor`); `id` is the
command id, which makes a retried command idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pydantic import AwareDatetime

from cstatus.contracts.envelope import CommandData, EventData
from cstatus.contracts.fields import Code, Reason

__all__ = [
    "COMMAND_EVENTS",
    "CUSTOMER_STATUS_ASSIGN",
    "CUSTOMER_STATUS_CLEAR",
    "AssignStatus",
    "ClearStatus",
]

CUSTOMER_STATUS_ASSIGN = "customer_status.assign"
CUSTOMER_STATUS_CLEAR = "customer_status.clear"


class AssignStatus(CommandData):
    """Give the customer `status_code` in `category_code`; `until` ends a manual pin."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_ASSIGN

    category_code: Code
    status_code: Code
    reason: Reason | None = None
    until: AwareDatetime | None = None


class ClearStatus(CommandData):
    """Remove the customer's status (and any pin) in `category_code`."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_CLEAR

    category_code: Code
    reason: Reason | None = None


COMMAND_EVENTS: Mapping[str, type[EventData]] = {
    model.event_type: model for model in (AssignStatus, ClearStatus)
}
