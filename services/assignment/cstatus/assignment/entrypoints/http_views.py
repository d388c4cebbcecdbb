"""The response bodies of assignment's HTTP API, as typed models (its OpenAPI document)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from cstatus.assignment.domain.profile import ProfileFields

__all__ = [
    "AppointmentLimitView",
    "BulkJobView",
    "BulkRefusalView",
    "ChangeResult",
    "CustomerView",
    "DirectoryPage",
    "DirectoryRow",
    "HeldStatusView",
    "RestrictionReasonView",
    "RestrictionsView",
    "ShownStatusView",
    "StatusCounts",
]


class HeldStatusView(BaseModel):
    status_code: str
    name: str
    colour: str | None
    icon_url: str | None
    display_as: str
    system_state: str | None
    source: str
    since: datetime
    pinned: bool
    pinned_until: datetime | None
    reason: str | None
    updated_by: str
    updated_at: datetime
    sequence: int


@dataclass(frozen=True, slots=True)
class CustomerView(ProfileFields):
    """One customer: the profile's fields, consent, tags, and a status in every category."""

    marketing_objected: bool | None
    marketing_consent: Literal["opted_in", "objected", "none"]
    """The customer's own answer: opted in, explicitly objected, or none given."""
    tags: list[str]
    version: int
    categories: dict[str, str]
    """Each active category's name, in the best language asked for."""
    statuses: dict[str, HeldStatusView | None]
    """Every active category of the tenant (null: holds nothing in it)."""


class ChangeResult(BaseModel):
    customer_id: str
    category_code: str
    result: Literal["applied", "unchanged", "pending"]
    status: HeldStatusView | None
    approval_id: str | None = None
    """`pending` (HTTP 202): the change waits for a second person (`/v1/approvals/{id}`)."""


class AppointmentLimitView(BaseModel):
    count: int
    period_days: int


class RestrictionReasonView(BaseModel):
    category_code: str
    status_code: str
    rule: str


class RestrictionsView(BaseModel):
    customer_id: str
    can_transact: bool
    can_redeem: bool
    can_book_online: bool
    can_book: bool
    must_prepay_online: bool
    transactions_are_outliers: bool
    exclude_from_reports: bool
    staff_change_warning: bool
    marketing_allowed: bool
    marketing_consent: Literal["opted_in", "objected", "none"]
    max_appointments: AppointmentLimitView | None
    allowed_service_codes: list[str] | None
    reasons: list[RestrictionReasonView]


class ShownStatusView(BaseModel):
    """How to show a status: name in the best language asked for, colour, icon, display mode."""

    status_code: str
    name: str
    colour: str | None
    icon_url: str | None
    display_as: str


@dataclass(frozen=True, slots=True)
class DirectoryRow(ProfileFields):
    """One customer of a directory page: the profile's fields and its statuses."""

    marketing_objected: bool | None
    statuses: dict[str, str | None]
    """Each category's status code."""
    labels: dict[str, ShownStatusView | None]
    """Each category's status as shown."""


class StatusCounts(BaseModel):
    category_code: str
    name: str
    counts: dict[str, int]
    """Holders of each status of the category (every non-archived status, zeros included)."""
    none: int
    """Customers holding no status in the category."""
    labels: dict[str, ShownStatusView | None]


class DirectoryPage(BaseModel):
    items: list[DirectoryRow]
    categories: dict[str, str]
    """Each active category's name, in the best language asked for."""
    next_cursor: str | None


class BulkRefusalView(BaseModel):
    customer_id: str
    code: str
    message: str


class BulkJobView(BaseModel):
    id: str
    state: str
    category_code: str
    status_code: str | None
    total: int
    processed: int
    applied: int
    rejected: int
    pending: int = 0
    """Customers whose change waits for a second person (`GET /v1/approvals?state=pending`)."""
    created_at: datetime
    updated_at: datetime
    refusals: list[BulkRefusalView] = []
