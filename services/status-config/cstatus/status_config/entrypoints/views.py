"""How categories and statuses read over HTTP: names in the caller's language, with a version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from cstatus.contracts.configuration import CategoryConfig, ConfigPublished, StatusConfig
from cstatus.status_config.domain.languages import localize, parse_accept_language
from cstatus.status_config.domain.model import StoredCategory, StoredStatus, Tenant

__all__ = [
    "CategoryList",
    "CategoryView",
    "ConfigurationView",
    "Reader",
    "StatusList",
    "StatusView",
    "TenantView",
    "category_view",
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
