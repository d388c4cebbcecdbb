"""The in-memory twin of the PostgreSQL unit of work, for handler tests in milliseconds.

It keeps what the schema keeps, with the same rules: rows per tenant in insertion order, each
replace bumping the row's version, statuses and icons going with their category or status, codes
unique per tenant (categories) and per category (statuses), and one transaction per unit: the
changes and the published messages are kept only when the block ends normally.
`tests/status_config/contract/` runs the same test case against both twins.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cstatus.contracts.configuration import CategoryConfig, StatusConfig
from cstatus.status_config.domain.model import (
    HistoryEntry,
    Icon,
    StoredCategory,
    StoredStatus,
    Tenant,
)

__all__ = [
    "ConstraintViolation",
    "MemoryConfigRepository",
    "MemoryStore",
    "MemoryUnitOfWork",
    "memory_unit_of_work",
]


class ConstraintViolation(Exception):
    """What the schema's unique and foreign-key constraints refuse (asyncpg raises its
    `IntegrityConstraintViolationError` subclasses there)."""


@dataclass
class MemoryStore:
    """Everything the schema holds, and what was published (the outbox after the relay)."""

    tenants: dict[str, Tenant] = field(default_factory=dict)
    categories: dict[str, tuple[str, StoredCategory]] = field(default_factory=dict)
    """category id -> (tenant, row)"""
    statuses: dict[str, tuple[str, StoredStatus]] = field(default_factory=dict)
    """status id -> (tenant, row)"""
    icons: dict[str, tuple[str, Icon]] = field(default_factory=dict)
    history: dict[tuple[str, int], HistoryEntry] = field(default_factory=dict)
    published: list[tuple[str, bytes, bytes]] = field(default_factory=list)


def _no_statuses(category: CategoryConfig) -> CategoryConfig:
    return category.model_copy(update={"statuses": ()})


class MemoryConfigRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._s = store

    async def tenant(self, tenant: str, *, lock: bool = False) -> Tenant | None:
        return self._s.tenants.get(tenant)

    async def save_tenant(self, tenant: Tenant) -> None:
        self._s.tenants[tenant.tenant] = tenant

    async def categories(self, tenant: str) -> list[StoredCategory]:
        return [c for t, c in self._s.categories.values() if t == tenant]

    async def category(self, tenant: str, category_id: str) -> StoredCategory | None:
        found = self._s.categories.get(category_id)
        return found[1] if found is not None and found[0] == tenant else None

    def _check_category_code(self, tenant: str, category: CategoryConfig) -> None:
        for t, c in self._s.categories.values():
            if t == tenant and c.category.code == category.code and c.id != category.id:
                raise ConstraintViolation(f"category code {category.code}")

    async def add_category(self, tenant: str, category: CategoryConfig) -> StoredCategory:
        if tenant not in self._s.tenants or category.id in self._s.categories:
            raise ConstraintViolation(f"category {category.id}")
        self._check_category_code(tenant, category)
        stored = StoredCategory(_no_statuses(category), 1)
        self._s.categories[category.id] = (tenant, stored)
        return stored

    async def replace_category(self, tenant: str, category: CategoryConfig) -> StoredCategory:
        current = await self.category(tenant, category.id)
        assert current is not None, "replace_category: no such category"
        self._check_category_code(tenant, category)
        stored = StoredCategory(_no_statuses(category), current.version + 1)
        self._s.categories[category.id] = (tenant, stored)
        return stored

    async def delete_category(self, tenant: str, category_id: str) -> None:
        if await self.category(tenant, category_id) is None:
            return
        del self._s.categories[category_id]
        for status_id in [
            i for i, (_, s) in self._s.statuses.items() if s.category_id == category_id
        ]:
            await self.delete_status(tenant, status_id)

    async def statuses(self, tenant: str, category_id: str | None = None) -> list[StoredStatus]:
        return [
            s
            for t, s in self._s.statuses.values()
            if t == tenant and (category_id is None or s.category_id == category_id)
        ]

    async def status(self, tenant: str, status_id: str) -> StoredStatus | None:
        found = self._s.statuses.get(status_id)
        return found[1] if found is not None and found[0] == tenant else None

    def _check_status_code(self, category_id: str, status: StatusConfig) -> None:
        for _, s in self._s.statuses.values():
            if s.category_id == category_id and s.status.code == status.code and s.id != status.id:
                raise ConstraintViolation(f"status code {status.code}")

    async def add_status(self, tenant: str, category_id: str, status: StatusConfig) -> StoredStatus:
        if category_id not in self._s.categories or status.id in self._s.statuses:
            raise ConstraintViolation(f"status {status.id}")
        self._check_status_code(category_id, status)
        stored = StoredStatus(status, category_id, 1)
        self._s.statuses[status.id] = (tenant, stored)
        return stored

    async def replace_status(self, tenant: str, status: StatusConfig) -> StoredStatus:
        current = await self.status(tenant, status.id)
        assert current is not None, "replace_status: no such status"
        self._check_status_code(current.category_id, status)
        stored = StoredStatus(status, current.category_id, current.version + 1)
        self._s.statuses[status.id] = (tenant, stored)
        return stored

    async def delete_status(self, tenant: str, status_id: str) -> None:
        if await self.status(tenant, status_id) is not None:
            del self._s.statuses[status_id]
            self._s.icons.pop(status_id, None)

    async def icon(self, tenant: str, status_id: str) -> Icon | None:
        found = self._s.icons.get(status_id)
        return found[1] if found is not None and found[0] == tenant else None

    async def icon_by_digest(self, digest: str) -> Icon | None:
        return next((i for _, i in self._s.icons.values() if i.etag == f'"{digest}"'), None)

    async def save_icon(self, tenant: str, status_id: str, icon: Icon) -> None:
        if status_id not in self._s.statuses:
            raise ConstraintViolation(f"icon of unknown status {status_id}")  # the foreign key
        self._s.icons[status_id] = (tenant, icon)

    async def delete_icon(self, tenant: str, status_id: str) -> None:
        if await self.icon(tenant, status_id) is not None:
            del self._s.icons[status_id]

    async def record_version(
        self, tenant: str, version: int, at: datetime, actor: str, document: dict[str, Any]
    ) -> None:
        if (tenant, version) in self._s.history:
            raise ConstraintViolation(f"version {version}")
        self._s.history[tenant, version] = HistoryEntry(version, at, actor, copy.deepcopy(document))

    async def history(
        self, tenant: str, *, before_version: int | None, limit: int
    ) -> list[HistoryEntry]:
        found = [
            e
            for (t, v), e in self._s.history.items()
            if t == tenant and (before_version is None or v < before_version)
        ]
        return sorted(found, key=lambda e: -e.version)[:limit]

    async def version(self, tenant: str, version: int) -> HistoryEntry | None:
        return self._s.history.get((tenant, version))


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore) -> None:
        self.repo = MemoryConfigRepository(store)
        self._store = store

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        self._store.published.append((topic, key, value))


def memory_unit_of_work(
    store: MemoryStore,
) -> contextlib.AbstractAsyncContextManager[MemoryUnitOfWork]:
    """`async with` it: the block works on a copy of `store`, kept only when it ends normally
    (a rollback leaves `store` as it was)."""

    @contextlib.asynccontextmanager
    async def unit() -> AsyncIterator[MemoryUnitOfWork]:
        working = copy.deepcopy(store)
        yield MemoryUnitOfWork(working)
        store.__dict__.update(working.__dict__)

    return unit()
