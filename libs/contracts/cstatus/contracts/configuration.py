"""`customer-status.config.v1` (compacted, key = tenant): a tenant's full configuration.

The status-config service publishes the whole document on every change, with a version that only
grows; a consumer keeps the highest version per tenant and can rebuild its view from this topic
alone. The envelope's `subject` is the tenant.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import (
    NO_NUL_PATTERN,
    Code,
    ContractModel,
    SystemState,
    TenantId,
    Text,
)

__all__ = [
    "CUSTOMER_STATUS_CONFIG",
    "ActivityTrigger",
    "AppointmentLimit",
    "CategoryConfig",
    "CategoryFields",
    "ConfigPublished",
    "CountRule",
    "DowngradePolicy",
    "FirstActivityRule",
    "InactivityRule",
    "Rule",
    "StatusConfig",
    "StatusProperties",
    "TenantConfiguration",
    "Translation",
    "UpdateMode",
    "VelocityRule",
]

CUSTOMER_STATUS_CONFIG = "customer_status.config"

UpdateMode = Literal["automatic", "manual", "external"]
DisplayAs = Literal["name_and_icon", "name", "icon"]
ActivityTrigger = Literal[
    "reservation.booked",
    "reservation.arrived",
    "invoice.issued",
    "payment.captured",
    "transaction.completed",
]
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
Description = Annotated[str, Field(max_length=2000, pattern=NO_NUL_PATTERN)]
LanguageTag = Annotated[str, Field(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", max_length=35)]


class Translation(ContractModel):
    name: Text
    description: Description | None = None


class AppointmentLimit(ContractModel):
    count: int = Field(ge=0, le=10_000)
    period_days: int = Field(ge=1, le=3650)


class StatusProperties(ContractModel):
    """The restrictions a status carries (SPEC §1); `None` limits mean 'no limit'/'all'."""

    can_transact: bool = True
    can_redeem: bool = True
    can_book_online: bool = True
    must_prepay_online: bool = False
    transactions_are_outliers: bool = False
    implies_marketing_consent: bool = False
    max_appointments: AppointmentLimit | None = None
    allowed_service_codes: tuple[Code, ...] | None = Field(default=None, max_length=500)
    staff_change_warning: bool = False
    exclude_from_reports: bool = False


class CountRule(ContractModel):
    type: Literal["count"] = "count"
    metric: Literal[
        "reservations", "transactions", "payments", "invoices", "spend", "points_redeemed"
    ]
    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)
    window_days: int | None = Field(default=None, ge=1, le=3650)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> CountRule:
        if self.max is not None and self.max < self.min:
            raise ValueError("max must be at least min")
        return self


class FirstActivityRule(ContractModel):
    type: Literal["first_activity"] = "first_activity"
    triggers: tuple[ActivityTrigger, ...] = Field(min_length=1, max_length=5)


class InactivityRule(ContractModel):
    type: Literal["inactivity"] = "inactivity"
    days: int = Field(ge=1, le=3650)


class VelocityRule(ContractModel):
    type: Literal["velocity"] = "velocity"
    metric: Literal["transactions", "points_redeemed", "spend"]
    threshold: int = Field(ge=0)
    window_minutes: int = Field(ge=1, le=60 * 24 * 31)


Rule = Annotated[
    CountRule | FirstActivityRule | InactivityRule | VelocityRule, Field(discriminator="type")
]


class StatusConfig(ContractModel):
    id: str = Field(min_length=1, max_length=64)
    code: Code
    name: Text
    description: Description | None = None
    colour: Colour
    icon_url: str | None = Field(default=None, max_length=512)
    display_as: DisplayAs = "name"
    priority: int = Field(default=0, ge=-1_000_000, le=1_000_000)
    is_default: bool = False
    sticky: bool = False
    system_state: SystemState | None = None
    archived: bool = False
    requires_approval: bool = Field(
        default=False,
        description="a manual change into this status waits for a second person's approval "
        "(SPEC 1.8); status-config sets it for system states deleted and fraud_confirmed "
        "unless told otherwise",
    )
    properties: StatusProperties = Field(default_factory=StatusProperties)
    rule: Rule | None = None
    translations: dict[LanguageTag, Translation] = Field(default_factory=dict)


class DowngradePolicy(ContractModel):
    """How an automatic category moves a customer down (SPEC 1.7); upgrades are immediate.

    `immediate`: as soon as the higher status's rule stops matching; `grace`: only after it has
    not matched for `grace_days`; `period_end`: only when a `period` ends in which it never
    matched; `never`: only a person (or a returned transaction) moves a customer down.
    """

    mode: Literal["immediate", "grace", "period_end", "never"] = "immediate"
    grace_days: int | None = Field(default=None, ge=1, le=3650)
    period: Literal["month", "quarter", "year", "anniversary"] | None = None
    warn_days: int = Field(default=0, ge=0, le=365)

    @model_validator(mode="after")
    def _complete(self) -> DowngradePolicy:
        if self.mode == "grace" and self.grace_days is None:
            raise ValueError("mode grace needs grace_days")
        if self.mode == "period_end" and self.period is None:
            raise ValueError("mode period_end needs a period")
        return self


class CategoryFields(ContractModel):
    """What an admin says of a category: the configuration's categories carry it, and
    status-config's API takes it as written."""

    code: Code
    name: Text
    description: Description | None = None
    update_mode: UpdateMode
    manual_override_allowed: bool = False
    reason_required: bool = False
    archived: bool = False
    downgrade_policy: DowngradePolicy | None = Field(
        default=None,
        description="SPEC 1.7, automatic categories (inert in others, like their rules): "
        'e.g. {"mode": "grace", "grace_days": 30, "warn_days": 7}; none: immediate',
    )


class CategoryConfig(CategoryFields):
    id: str = Field(min_length=1, max_length=64)
    statuses: tuple[StatusConfig, ...] = Field(default=(), max_length=200)
    translations: dict[LanguageTag, Translation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_default_at_most(self) -> CategoryConfig:
        if sum(s.is_default for s in self.statuses) > 1:
            raise ValueError(f"category {self.code} has more than one default status")
        return self


class TenantConfiguration(ContractModel):
    """Everything a consumer needs to know about one tenant's categories and statuses."""

    default_language: LanguageTag = "en"
    categories: tuple[CategoryConfig, ...] = Field(default=(), max_length=200)


class ConfigPublished(EventData):
    """Version `version` of `tenant`'s configuration document; a higher version supersedes."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_CONFIG

    tenant: TenantId
    version: int = Field(ge=1)
    config: TenantConfiguration
