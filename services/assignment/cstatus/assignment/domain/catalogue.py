"""A tenant's categories and statuses as the assignment rules see them (built from the config topic)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cstatus.contracts.configuration import AppointmentLimit, StatusProperties
from cstatus.contracts.languages import translated
from cstatus.contracts.system_states import meaning

__all__ = [
    "AppointmentLimit",
    "Catalogue",
    "Category",
    "Properties",
    "Status",
    "UpdateMode",
]

UpdateMode = Literal["automatic", "manual", "external"]


Properties = StatusProperties
"""The restrictions a status carries: the configuration contract's own model (SPEC §1 defaults),
kept as the configuration topic delivered it."""


@dataclass(frozen=True, slots=True)
class Status:
    code: str
    name: str
    colour: str = "#000000"
    system_state: str | None = None
    is_default: bool = False
    sticky: bool = False
    archived: bool = False
    requires_approval: bool = False
    """A manual change into this status waits for a second person (SPEC 1.8)."""
    icon_url: str | None = None
    display_as: str = "name"
    properties: Properties = field(default_factory=Properties)
    names: Mapping[str, str] = field(default_factory=dict)
    """Translated names by language tag; `name` is in the tenant's default language."""

    def name_in(self, wanted: Sequence[str], default_language: str = "en") -> str:
        return translated(self.name, self.names, wanted, default_language)

    @property
    def excluded_from_reports(self) -> bool:
        flags = meaning(self.system_state).flags
        return self.properties.exclude_from_reports or "exclude_from_reports" in flags


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    update_mode: UpdateMode
    manual_override_allowed: bool = False
    reason_required: bool = False
    archived: bool = False
    statuses: Mapping[str, Status] = field(default_factory=dict)
    name: str = ""
    names: Mapping[str, str] = field(default_factory=dict)

    def name_in(self, wanted: Sequence[str], default_language: str = "en") -> str:
        return translated(self.name or self.code, self.names, wanted, default_language)

    @property
    def default_status(self) -> Status | None:
        return next((s for s in self.statuses.values() if s.is_default and not s.archived), None)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """One version of one tenant's configuration; empty until the first version arrives."""

    version: int = 0
    categories: Mapping[str, Category] = field(default_factory=dict)
    default_language: str = "en"

    def status(self, category_code: str, status_code: str | None) -> Status | None:
        category = self.categories.get(category_code)
        if category is None or status_code is None:
            return None
        return category.statuses.get(status_code)

    @property
    def active_categories(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories.values() if not c.archived)

    @property
    def defaulted_categories(self) -> tuple[str, ...]:
        """Active categories with a default status: a customer holding nothing there gets it."""
        return tuple(c.code for c in self.active_categories if c.default_status is not None)

    @property
    def implying_marketing_consent(self) -> tuple[tuple[str, str], ...]:
        """(category, status) of every status whose holders receive marketing unless they
        objected (archived ones too: a holding keeps meaning what it meant)."""
        return tuple(
            (c.code, s.code)
            for c in self.categories.values()
            for s in c.statuses.values()
            if s.properties.implies_marketing_consent
        )

    @property
    def appointment_limits(self) -> tuple[tuple[str, str], ...]:
        """(category, status) of every status whose restrictions count the customer's bookings."""
        return tuple(
            (c.code, s.code)
            for c in self.categories.values()
            for s in c.statuses.values()
            if s.properties.max_appointments is not None
        )
