"""What the service stores: a tenant, and its categories and statuses with their row versions.

Categories and statuses are the contract models of the configuration document itself
(`CategoryConfig` without its statuses, `StatusConfig`), so what is stored always validates as
what is published.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cstatus.contracts.configuration import CategoryConfig, StatusConfig

__all__ = ["Edit", "HistoryEntry", "Icon", "StoredCategory", "StoredStatus", "Tenant"]


@dataclass(frozen=True, slots=True)
class Tenant:
    tenant: str
    default_language: str
    version: int = 0


@dataclass(frozen=True, slots=True)
class StoredCategory:
    category: CategoryConfig
    version: int = 1

    @property
    def id(self) -> str:
        return self.category.id


@dataclass(frozen=True, slots=True)
class StoredStatus:
    status: StatusConfig
    category_id: str
    version: int = 1

    @property
    def id(self) -> str:
        return self.status.id


@dataclass(frozen=True, slots=True)
class Icon:
    content_type: str
    content: bytes
    etag: str
    """A quoted digest of the content."""

    @property
    def digest(self) -> str:
        return self.etag.strip('"')


@dataclass(frozen=True, slots=True)
class Edit:
    """Who makes a configuration change, and when: kept with the version it creates."""

    at: datetime
    actor: str


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One configuration version as it was published, and who made it when."""

    version: int
    at: datetime
    actor: str
    document: dict[str, object]
