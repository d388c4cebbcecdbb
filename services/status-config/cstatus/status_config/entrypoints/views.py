"""How categories and statuses read over HTTP: names in the caller's language, with a version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    StatusConfig,
    TenantConfiguration,
)
from cstatus.status_config.domain.languages import localize, parse_accept_language
from cstatus.status_config.domain.model import HistoryEntry, StoredCategory, StoredStatus, Tenant

__all__ = [
    "CategoryList",
    "CategoryView",
    "ConfigurationView",
    "HistoryList",
    "Reader",
    "StatusList",
    "StatusView",
    "TenantView",
    "VersionView",
    "category_view",
    "history_view",
    "status_view",
]


class StatusView(StatusConfig):
    """A status as read: its name and description in the reader's language."""

    category_id: str
    language: str
    version: int


class StatusList(BaseModel):
    items: list[StatusView]


class CategoryView(CategoryConfig):
    """A category as read, with its statuses, in the reader's language."""

    statuses: tuple[StatusView, ...]
    language: str
    version: int


class CategoryList(BaseModel):
    items: list[CategoryView]


class TenantView(BaseModel):
    tenant: str
    default_language: str
    version: int


class ObjectChangeView(BaseModel):
    """One object a version added (`before` null), removed (`after` null) or changed."""

    kind: Literal["tenant", "category", "status"]
    id: str
    code: str | None
    category_code: str | None = None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class HistoryEntryView(BaseModel):
    version: int
    changed_at: datetime
    actor: str
    changes: list[ObjectChangeView] | None
    """`null` when the version before was made before the history was kept."""


class HistoryList(BaseModel):
    items: list[HistoryEntryView]
    next_before_version: int | None
    """Pass it as `before_version` for the next, older page; `null` on the last page."""


class VersionView(BaseModel):
    """A configuration version whole, as it was published."""

    version: int
    changed_at: datetime
    actor: str
    config: TenantConfiguration


def history_view(entry: HistoryEntry, changes: Sequence[dict[str, Any]] | None) -> dict[str, Any]:
    return {
        "version": entry.version,
        "changed_at": entry.at.isoformat(),
        "actor": entry.actor,
        "changes": None if changes is None else list(changes),
    }


ConfigurationView = ConfigPublished
"""What `GET /v1/config` answers: the document `customer-status.config.v1` carries last."""


@dataclass(frozen=True, slots=True)
class Reader:
    """The languages a request accepts, and the tenant default that is the fallback."""

    wanted: list[str]
    default_language: str

    @classmethod
    def of(cls, tenant: Tenant, accept_language: str | None) -> Reader:
        return cls(parse_accept_language(accept_language), tenant.default_language)


def status_view(stored: StoredStatus, reader: Reader) -> dict[str, Any]:
    status = stored.status
    text = localize(
        status.name,
        status.description,
        status.translations,
        wanted=reader.wanted,
        default_language=reader.default_language,
    )
    return {
        **status.model_dump(mode="json"),
        "category_id": stored.category_id,
        "name": text.name,
        "description": text.description,
        "language": text.language,
        "version": stored.version,
    }


def category_view(
    stored: StoredCategory, statuses: Sequence[StoredStatus], reader: Reader
) -> dict[str, Any]:
    category = stored.category
    text = localize(
        category.name,
        category.description,
        category.translations,
        wanted=reader.wanted,
        default_language=reader.default_language,
    )
    return {
        **category.model_dump(mode="json"),
        "name": text.name,
        "description": text.description,
        "language": text.language,
        "version": stored.version,
        "statuses": [status_view(s, reader) for s in statuses],
    }
