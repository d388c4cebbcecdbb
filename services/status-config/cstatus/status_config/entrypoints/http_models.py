"""The request bodies of the admin API: pydantic, unknown fields refused.

Limits mirror the configuration contract, so what is accepted here always publishes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from cstatus.contracts.configuration import (
    ActivityTrigger,
    CategoryFields,
    DowngradePolicy,
    UpdateMode,
)
from cstatus.contracts.fields import NO_NUL_PATTERN, Code, SystemState, Text

__all__ = [
    "LANGUAGE_PATTERN",
    "CategoryIn",
    "CategoryPatch",
    "PropertiesIn",
    "RuleIn",
    "StatusIn",
    "StatusPatch",
    "TenantIn",
    "TranslationIn",
]

LANGUAGE_PATTERN = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$"

Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$", examples=["#FFD700"])]
Description = Annotated[str, Field(max_length=2000, pattern=NO_NUL_PATTERN)]
LanguageTag = Annotated[str, Field(pattern=LANGUAGE_PATTERN, max_length=35, examples=["de-CH"])]
DisplayAs = Literal["name_and_icon", "name", "icon"]
Priority = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TenantIn(Body):
    default_language: LanguageTag | None = None
    seed_defaults: bool = False


class TranslationIn(Body):
    name: Text
    description: Description | None = None


class CategoryIn(CategoryFields):
    model_config = ConfigDict(extra="forbid", frozen=True)

    translations: dict[LanguageTag, TranslationIn] = Field(default_factory=dict, max_length=100)


class CategoryPatch(Body):
    name: Text | None = None
    description: Description | None = None
    update_mode: UpdateMode | None = None
    manual_override_allowed: bool | None = None
    reason_required: bool | None = None
    archived: bool | None = None
    downgrade_policy: DowngradePolicy | None = Field(
        default=None, description="null: back to immediate"
    )


class AppointmentLimitIn(Body):
    count: int = Field(ge=0, le=10_000)
    period_days: int = Field(ge=1, le=3650)


class PropertiesIn(Body):
    """Only the properties given change; the others keep their (system_state) defaults."""

    can_transact: bool | None = None
    can_redeem: bool | None = None
    can_book_online: bool | None = None
    must_prepay_online: bool | None = None
    transactions_are_outliers: bool | None = None
    implies_marketing_consent: bool | None = None
    max_appointments: AppointmentLimitIn | None = None
    allowed_service_codes: list[Code] | None = Field(default=None, max_length=500)
    staff_change_warning: bool | None = None
    exclude_from_reports: bool | None = None


class CountRuleIn(Body):
    type: Literal["count"]
    metric: Literal[
        "reservations", "transactions", "payments", "invoices", "spend", "points_redeemed"
    ]
    min: int = Field(ge=0, le=1_000_000_000_000)
    max: int | None = Field(default=None, ge=0, le=1_000_000_000_000)
    window_days: int | None = Field(default=None, ge=1, le=3650)


class FirstActivityRuleIn(Body):
    type: Literal["first_activity"]
    triggers: list[ActivityTrigger] = Field(min_length=1, max_length=5)


class InactivityRuleIn(Body):
    type: Literal["inactivity"]
    days: int = Field(ge=1, le=3650)


class VelocityRuleIn(Body):
    type: Literal["velocity"]
    metric: Literal["transactions", "points_redeemed", "spend"]
    threshold: int = Field(ge=0, le=1_000_000_000_000)
    window_minutes: int = Field(ge=1, le=60 * 24 * 31)


RuleIn = Annotated[
    CountRuleIn | FirstActivityRuleIn | InactivityRuleIn | VelocityRuleIn,
    Field(discriminator="type"),
]


class StatusIn(Body):
    code: Code
    name: Text
    description: Description | None = None
    colour: Colour
    display_as: DisplayAs = "name"
    priority: Priority = 0
    is_default: bool = False
    sticky: bool | None = Field(
        default=None, description="default: true for system_state fraud_suspected, else false"
    )
    system_state: SystemState | None = None
    archived: bool = False
    requires_approval: bool | None = Field(
        default=None,
        description="default: true for system states deleted and fraud_confirmed, else false",
    )
    properties: PropertiesIn | None = None
    rule: RuleIn | None = None
    translations: dict[LanguageTag, TranslationIn] = Field(default_factory=dict, max_length=100)


class StatusPatch(Body):
    name: Text | None = None
    description: Description | None = None
    colour: Colour | None = None
    display_as: DisplayAs | None = None
    priority: Priority | None = None
    is_default: bool | None = None
    sticky: bool | None = None
    system_state: SystemState | None = None
    archived: bool | None = None
    requires_approval: bool | None = None
    properties: PropertiesIn | None = None
