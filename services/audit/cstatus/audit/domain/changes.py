"""A change as the audit log holds it, and the filters and pages it is read by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = ["ChangeFilter", "LoggedChange", "LoggedRejection", "Position", "ProfileEvent", "Status"]


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    name: str
    system_state: str | None = None


@dataclass(frozen=True, slots=True)
class LoggedChange:
    """One applied change. `actor` and `reason` are None when absent or erased
    (`personal_data_erased` tells which)."""

    id: int
    change_id: str
    customer_id: str
    category_code: str
    sequence: int
    from_: Status | None
    to: Status | None
    source: str
    actor: str | None
    reason: str | None
    explanation: dict[str, Any] | None
    exclude_from_reports: bool
    effective_at: datetime
    recorded_at: datetime
    personal_data_erased: bool
    approved_by: str | None = None
    """The second person who approved the change (SPEC 1.8), or None."""

    @property
    def position(self) -> Position:
        return Position(self.effective_at, self.sequence, self.id)


@dataclass(frozen=True, slots=True)
class LoggedRejection:
    ref_id: str
    category_code: str
    status_code: str | None
    reason_code: str
    message: str | None
    occurred_at: datetime
    recorded_at: datetime
    personal_data_erased: bool


@dataclass(frozen=True, slots=True)
class ProfileEvent:
    """What the CRM said about the customer; `data` is None once erased."""

    event_id: str
    event_type: str
    data: dict[str, Any] | None
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class Position:
    """Where a change sorts in a listing: by effective time, then sequence, then log id."""

    effective_at: datetime
    sequence: int
    id: int


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    category: str | None = None
    source: str | None = None
    status: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_excluded: bool = True
