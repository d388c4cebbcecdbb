"""The response bodies of assignment's HTTP API, as typed models (its OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

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


class CustomerView(BaseModel):
    customer_id: str
    customer_number: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    active: bool
    marketing_opt_in: bool | None
    tags: list[str]
    version: int
    statuses: dict[str, HeldStatusView | None]
    """Every active category of the tenant (null: holds nothing in it)."""


class ChangeResult(BaseModel):
    customer_id: str
    category_code: str
    result: Literal["applied", "unchanged"]
    status: HeldStatusView | None


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
    max_appointments: AppointmentLimitView | None
    allowed_service_codes: list[str] | None
    reasons: list[RestrictionReasonView]


class DirectoryRow(BaseModel):
    customer_id: str
    customer_number: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    active: bool
    statuses: dict[str, str | None]


class DirectoryPage(BaseModel):
    items: list[DirectoryRow]
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
    created_at: datetime
    updated_at: datetime
    refusals: list[BulkRefusalView] = []
