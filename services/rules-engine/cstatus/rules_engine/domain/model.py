"""The rules engine's view of a tenant's configuration: automatic categories and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = [
    "IMMEDIATE",
    "Category",
    "CountRule",
    "Current",
    "Downgrade",
    "FirstActivityRule",
    "InactivityRule",
    "Rule",
    "Status",
    "VelocityRule",
]


@dataclass(frozen=True, slots=True)
class CountRule:
    metric: Literal[
        "reservations", "transactions", "payments", "invoices", "spend", "points_redeemed"
    ]
    min: int
    max: int | None = None
    window_days: int | None = None


@dataclass(frozen=True, slots=True)
class FirstActivityRule:
    triggers: frozenset[str]


@dataclass(frozen=True, slots=True)
class InactivityRule:
    days: int


@dataclass(frozen=True, slots=True)
class VelocityRule:
    metric: Literal["transactions", "points_redeemed", "spend"]
    threshold: int
    window_minutes: int


Rule = CountRule | FirstActivityRule | InactivityRule | VelocityRule


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    priority: int = 0
    is_default: bool = False
    sticky: bool = False
    archived: bool = False
    rule: Rule | None = None


@dataclass(frozen=True, slots=True)
class Downgrade:
    """SPEC 1.7: when automation may move a customer down (see `domain/policy.py`)."""

    mode: Literal["immediate", "grace", "period_end", "never"] = "immediate"
    grace_days: int | None = None
    period: Literal["month", "quarter", "year", "anniversary"] | None = None
    warn_days: int = 0


IMMEDIATE = Downgrade()


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    statuses: tuple[Status, ...]
    update_mode: Literal["automatic", "manual", "external"] = "automatic"
    downgrade: Downgrade = IMMEDIATE

    @property
    def default(self) -> Status | None:
        return next((s for s in self.statuses if s.is_default and not s.archived), None)

    def status(self, code: str | None) -> Status | None:
        return next((s for s in self.statuses if s.code == code), None)


@dataclass(frozen=True, slots=True)
class Current:
    """What the customer holds in a category now, as the changes topic told us."""

    status_code: str | None
    pinned: bool = False
    pinned_until: datetime | None = None
    entered_by: str | None = None
    """The rule of the automatic change that moved the customer into `status_code`."""

    def is_pinned(self, now: datetime) -> bool:
        return self.pinned and (self.pinned_until is None or self.pinned_until > now)
