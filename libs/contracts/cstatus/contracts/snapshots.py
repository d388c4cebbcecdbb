"""`customer-status.snapshots.v1` (compacted): a customer's full current statuses and restrictions.

Keyed `{tenant}:{customer}`; the latest snapshot per key is the customer's state. An erased
customer's key gets a tombstone (null value).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from cstatus.contracts.changes import StatusRef
from cstatus.contracts.configuration import AppointmentLimit
from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import ChangeSource, Code, ContractModel, CustomerId

__all__ = [
    "CUSTOMER_STATUS_SNAPSHOT",
    "AppointmentLimit",
    "CustomerSnapshot",
    "HeldStatus",
    "RestrictionReason",
    "Restrictions",
]

CUSTOMER_STATUS_SNAPSHOT = "customer_status.snapshot"


class HeldStatus(StatusRef):
    """The status a customer holds in one category, how and since when."""

    source: ChangeSource
    since: AwareDatetime
    pinned_until: AwareDatetime | None = None


class RestrictionReason(ContractModel):
    """Which status of which category caused a restriction (`rule` is the property name)."""

    category_code: Code
    status_code: Code
    rule: str = Field(min_length=1, max_length=64)


class Restrictions(ContractModel):
    """The restrictions of all a customer's statuses combined (SPEC §1, Assignment)."""

    can_transact: bool = True
    can_redeem: bool = True
    can_book_online: bool = True
    must_prepay_online: bool = False
    transactions_are_outliers: bool = False
    exclude_from_reports: bool = False
    marketing_allowed: bool = False
    marketing_consent: Literal["opted_in", "objected", "none"] = Field(
        default="none", description="the customer's own answer, whatever a status implies"
    )
    staff_change_warning: bool = False
    max_appointments: AppointmentLimit | None = None
    allowed_service_codes: tuple[Code, ...] | None = Field(
        default=None, description="null allows every service; a list allows only those"
    )
    reasons: tuple[RestrictionReason, ...] = ()


class CustomerSnapshot(EventData):
    """Everything current about one customer; `version` grows with every change to it."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_SNAPSHOT

    customer_id: CustomerId
    statuses: dict[Code, HeldStatus]
    restrictions: Restrictions
    version: int = Field(ge=1)
    updated_at: AwareDatetime
