"""The JSON shapes the audit API answers with, built from the domain's records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cstatus.audit.domain.changes import LoggedChange, LoggedRejection, ProfileEvent, Status
from cstatus.audit.domain.history import CategoryTimeline

__all__ = [
    "AsOfStatusView",
    "AsOfView",
    "CategoryTimelineView",
    "ChangePage",
    "ChangeView",
    "ExportView",
    "LastUpdateView",
    "LastUpdatesView",
    "PeriodView",
    "StatusView",
    "TimelineView",
]


class StatusView(BaseModel):
    code: str
    name: str
    system_state: str | None

    @classmethod
    def of(cls, status: Status | None) -> StatusView | None:
        if status is None:
            return None
        return cls(code=status.code, name=status.name, system_state=status.system_state)


class ChangeView(BaseModel):
    model_config = ConfigDict(validate_by_name=True, serialize_by_alias=True)

    change_id: str
    customer_id: str
    category_code: str
    sequence: int
    from_: StatusView | None = Field(alias="from")
    to: StatusView | None
    source: str
    actor: str | None
    approved_by: str | None = None
    reason: str | None
    explanation: dict[str, Any] | None
    exclude_from_reports: bool
    effective_at: datetime
    recorded_at: datetime
    personal_data_erased: bool

    @classmethod
    def of(cls, change: LoggedChange) -> ChangeView:
        return cls(
            change_id=change.change_id,
            customer_id=change.customer_id,
            category_code=change.category_code,
            sequence=change.sequence,
            from_=StatusView.of(change.from_),
            to=StatusView.of(change.to),
            source=change.source,
            actor=change.actor,
            approved_by=change.approved_by,
            reason=change.reason,
            explanation=change.explanation,
            exclude_from_reports=change.exclude_from_reports,
            effective_at=change.effective_at,
            recorded_at=change.recorded_at,
            personal_data_erased=change.personal_data_erased,
        )


class ChangePage(BaseModel):
    items: list[ChangeView]
    next_cursor: str | None


class AsOfStatusView(BaseModel):
    status_code: str
    name: str
    system_state: str | None
    since: datetime
    source: str
    change_id: str
    sequence: int


class AsOfView(BaseModel):
    customer_id: str
    time: datetime
    statuses: dict[str, AsOfStatusView | None]
    """Every category with a change effective by `time`; null when it held no status then."""


class PeriodView(BaseModel):
    status_code: str
    name: str
    system_state: str | None
    entered_at: datetime
    left_at: datetime | None
    duration_seconds: float
    current: bool
    change_id: str


class CategoryTimelineView(BaseModel):
    periods: list[PeriodView]
    missing_sequences: list[int]

    @classmethod
    def of(cls, found: CategoryTimeline) -> CategoryTimelineView:
        return cls(
            periods=[
                PeriodView(
                    status_code=p.status.code,
                    name=p.status.name,
                    system_state=p.status.system_state,
                    entered_at=p.entered_at,
                    left_at=p.left_at,
                    duration_seconds=p.duration.total_seconds(),
                    current=p.left_at is None,
                    change_id=p.change_id,
                )
                for p in found.periods
            ],
            missing_sequences=list(found.missing_sequences),
        )


class TimelineView(BaseModel):
    customer_id: str
    now: datetime
    categories: dict[str, CategoryTimelineView]


class LastUpdateView(BaseModel):
    status_code: str | None
    updated_at: datetime
    updated_by: str | None
    source: str
    change_id: str
    sequence: int


class LastUpdatesView(BaseModel):
    customer_id: str
    categories: dict[str, LastUpdateView]


class ExportView(BaseModel):
    """Everything the audit log holds about one customer (GDPR access request)."""

    customer_id: str
    tenant: str
    exported_at: datetime
    erased: bool
    erased_at: datetime | None
    changes: list[ChangeView]
    rejections: list[LoggedRejection]
    """The change requests refused for this customer (the log's own records)."""
    profile_events: list[ProfileEvent]
