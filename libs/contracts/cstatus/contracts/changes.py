"""`customer-status.changes.v1`: every applied status change, keyed `{tenant}:{customer}`.

Published through the assignment service's outbox: at least once, never unapplied; consumers
de-duplicate by `change_id`. The rules engine also publishes `customer_status.will_downgrade`
here (SPEC 1.7): a notice ahead of a scheduled move down, not a change.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import AwareDatetime, Field, JsonValue

from cstatus.contracts.configuration import Colour, DisplayAs
from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import (
    Actor,
    ChangeSource,
    Code,
    ContractModel,
    Reason,
    SystemState,
    Text,
    TextId,
)

__all__ = [
    "CUSTOMER_STATUS_CHANGED",
    "CUSTOMER_STATUS_WILL_DOWNGRADE",
    "Explanation",
    "StatusChanged",
    "StatusRef",
    "WillDowngrade",
]

CUSTOMER_STATUS_CHANGED = "customer_status.changed"
CUSTOMER_STATUS_WILL_DOWNGRADE = "customer_status.will_downgrade"


class StatusRef(ContractModel):
    """A status as consumers see it: its code, name (in the tenant's default language),
    built-in state, and how to show it: colour, public icon URL and display mode."""

    code: Code
    name: Text
    system_state: SystemState | None = None
    colour: Colour | None = None
    icon_url: str | None = Field(default=None, max_length=512)
    display_as: DisplayAs | None = None


class Explanation(ContractModel):
    """Why automation decided: the rule, what it measured, over which window, on which events.

    `rule` is the rule type (`count`, `first_activity`, `inactivity`, `velocity`, or `default`
    when no rule matched); `details` holds anything rule-specific (metric, thresholds, …).
    """

    rule: str = Field(min_length=1, max_length=64)
    value: int | Annotated[Decimal, Field(allow_inf_nan=False)] | None = None
    window: str | None = Field(default=None, max_length=128)
    event_ids: tuple[TextId, ...] = Field(default=(), max_length=1000)
    details: dict[str, JsonValue] = Field(default_factory=dict)
    config_version: int | None = Field(
        default=None,
        ge=0,
        description="the tenant's configuration version the rules engine decided with: "
        "status-config's GET /v1/config/history/{version} answers which rules those were",
    )
    keep: dict[str, JsonValue] | None = Field(
        default=None,
        description="SPEC 1.7: until when the status holds without new activity: "
        '`{"until": "2027-01-31" | null (beyond three years), "then": the status after}`',
    )
    next: dict[str, JsonValue] | None = Field(
        default=None,
        description="SPEC 1.7: the next higher status and what it needs, e.g. "
        '`{"status_code": "gold", "rule": "count", "metric": "reservations", "needs": 2, '
        '"window_days": 365, "by": "2027-01-31"}`; null when there is none',
    )


class StatusChanged(EventData):
    """One applied change of a customer's status in one category (`from_` is `from` on the wire)."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_CHANGED

    change_id: TextId
    category_code: Code
    from_: StatusRef | None = Field(alias="from")
    to: StatusRef | None
    source: ChangeSource
    actor: Actor
    approved_by: Actor | None = Field(
        default=None,
        description="the second person who approved the change (SPEC 1.8: four eyes); "
        "`actor` is the one who asked for it",
    )
    reason: Reason | None = None
    explanation: Explanation | None = None
    effective_at: AwareDatetime
    sequence: int = Field(ge=1)
    exclude_from_reports: bool
    pinned: bool | None = Field(
        default=None,
        description="whether the category is pinned by hand after this change (automation "
        "leaves it alone); absent from producers before v2",
    )


class WillDowngrade(EventData):
    """SPEC 1.7: `warn_days` before automation moves a customer down, the date, the status it
    will go to, and what would keep the current one. Published by the rules engine's daily
    sweep, once per (customer, category, date); nothing has changed yet, so it carries no
    `change_id` and the audit log does not record it."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_WILL_DOWNGRADE

    warning_id: TextId
    category_code: Code
    status_code: Code = Field(description="the status held now")
    to_status_code: Code | None = Field(description="the status it will go to (null: none)")
    on: date = Field(description="the first day the customer holds `to_status_code`")
    keep: dict[str, JsonValue] = Field(
        description="what would keep the current status, e.g. "
        '`{"status_code": "gold", "rule": "count", "metric": "reservations", "needs": 2, '
        '"window_days": 365, "by": "2027-01-31"}` (`by`: the last day it may arrive)'
    )
    warn_days: int = Field(ge=1, le=365)
    config_version: int | None = Field(default=None, ge=0)
