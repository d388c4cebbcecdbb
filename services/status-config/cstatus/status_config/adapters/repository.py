"""The configuration in PostgreSQL (schema `status_config`): one jsonb document per row.

Every query names its tenant, so a row of another tenant is never read or written; each
replace bumps the row's version (its ETag).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from cstatus.contracts.configuration import CategoryConfig, StatusConfig
from cstatus.status_config.domain.model import (
    HistoryEntry,
    Icon,
    StoredCategory,
    StoredStatus,
    Tenant,
)

__all__ = ["PostgresConfigRepository"]


def _category(row: asyncpg.Record) -> StoredCategory:
    return StoredCategory(CategoryConfig.model_validate(row["doc"]), row["row_version"])


def _status(row: asyncpg.Record) -> StoredStatus:
    return StoredStatus(
        StatusConfig.model_validate(row["doc"]), row["category_id"], row["row_version"]
    )


def _doc(model: CategoryConfig | StatusConfig) -> dict[str, Any]:
    """The row's jsonb (the pool's codec encodes it); a category's statuses are rows of their own."""
    if isinstance(model, CategoryConfig):
        return model.model_dump(mode="json", exclude={"statuses"})
    return model.model_dump(mode="json")


class PostgresConfigRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def tenant(self, tenant: str, *, lock: bool = False) -> Tenant | None:
        row = await self._conn.fetchrow(
            "SELECT tenant, default_language, version FROM tenants WHERE tenant = $1"
            + (" FOR UPDATE" if lock else ""),
            tenant,
        )
        return None if row is None else Tenant(row[0], row[1], row[2])

    async def save_tenant(self, tenant: Tenant) -> None:
        await self._conn.execute(
            "INSERT INTO tenants (tenant, default_language, version) VALUES ($1, $2, $3)"
            " ON CONFLICT (tenant) DO UPDATE"
            " SET default_language = EXCLUDED.default_language, version = EXCLUDED.version",
            tenant.tenant,
            tenant.default_language,
            tenant.version,
        )

    async def categories(self, tenant: str) -> list[StoredCategory]:
        rows = await self._conn.fetch(
            "SELECT doc, row_version FROM categories WHERE tenant = $1 ORDER BY seq", tenant
        )
        return [_category(r) for r in rows]

    async def category(self, tenant: str, category_id: str) -> StoredCategory | None:
        row = await self._conn.fetchrow(
            "SELECT doc, row_version FROM categories WHERE tenant = $1 AND id = $2",
            tenant,
            category_id,
        )
        return None if row is None else _category(row)

    async def add_category(self, tenant: str, category: CategoryConfig) -> StoredCategory:
        await self._conn.execute(
            "INSERT INTO categories (id, tenant, code, doc) VALUES ($1, $2, $3, $4)",
            category.id,
            tenant,
            category.code,
            _doc(category),
        )
        return StoredCategory(category.model_copy(update={"statuses": ()}), 1)

    async def replace_category(self, tenant: str, category: CategoryConfig) -> StoredCategory:
        version: int = await self._conn.fetchval(
            "UPDATE categories SET code = $3, doc = $4, row_version = row_version + 1"
            " WHERE tenant = $1 AND id = $2 RETURNING row_version",
            tenant,
            category.id,
            category.code,
            _doc(category),
        )
        return StoredCategory(category.model_copy(update={"statuses": ()}), version)

    async def delete_category(self, tenant: str, category_id: str) -> None:
        await self._conn.execute(
            "DELETE FROM categories WHERE tenant = $1 AND id = $2", tenant, category_id
        )

    async def statuses(self, tenant: str, category_id: str | None = None) -> list[StoredStatus]:
        rows = await self._conn.fetch(
            "SELECT doc, category_id, row_version FROM statuses"
            " WHERE tenant = $1 AND ($2::text IS NULL OR category_id = $2) ORDER BY seq",
            tenant,
            category_id,
        )
        return [_status(r) for r in rows]

    async def status(self, tenant: str, status_id: str) -> StoredStatus | None:
        row = await self._conn.fetchrow(
            "SELECT doc, category_id, row_version FROM statuses WHERE tenant = $1 AND id = $2",
            tenant,
            status_id,
        )
        return None if row is None else _status(row)

    async def add_status(self, tenant: str, category_id: str, status: StatusConfig) -> StoredStatus:
        await self._conn.execute(
            "INSERT INTO statuses (id, tenant, category_id, code, doc) VALUES ($1, $2, $3, $4, $5)",
            status.id,
            tenant,
            category_id,
            status.code,
            _doc(status),
        )
        return StoredStatus(status, category_id, 1)

    async def replace_status(self, tenant: str, status: StatusConfig) -> StoredStatus:
        row = await self._conn.fetchrow(
            "UPDATE statuses SET code = $3, doc = $4, row_version = row_version + 1"
            " WHERE tenant = $1 AND id = $2 RETURNING category_id, row_version",
            tenant,
            status.id,
            status.code,
            _doc(status),
        )
        return StoredStatus(status, row["category_id"], row["row_version"])

    async def delete_status(self, tenant: str, status_id: str) -> None:
        await self._conn.execute(
            "DELETE FROM statuses WHERE tenant = $1 AND id = $2", tenant, status_id
        )

    async def icon(self, tenant: str, status_id: str) -> Icon | None:
        row = await self._conn.fetchrow(
            "SELECT content_type, content, etag FROM icons WHERE tenant = $1 AND status_id = $2",
            tenant,
            status_id,
        )
        return None if row is None else Icon(row[0], bytes(row[1]), row[2])

    async def icon_by_digest(self, digest: str) -> Icon | None:
        """An icon by its content digest (its ETag without quotes), whoever uploaded it."""
        row = await self._conn.fetchrow(
            "SELECT content_type, content, etag FROM icons WHERE etag = $1 LIMIT 1",
            f'"{digest}"',
        )
        return None if row is None else Icon(row[0], bytes(row[1]), row[2])

    async def save_icon(self, tenant: str, status_id: str, icon: Icon) -> None:
        await self._conn.execute(
            "INSERT INTO icons (status_id, tenant, content_type, content, etag)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (status_id) DO UPDATE"
            " SET content_type = EXCLUDED.content_type, content = EXCLUDED.content,"
            " etag = EXCLUDED.etag",
            status_id,
            tenant,
            icon.content_type,
            icon.content,
            icon.etag,
        )

    async def delete_icon(self, tenant: str, status_id: str) -> None:
        await self._conn.execute(
            "DELETE FROM icons WHERE tenant = $1 AND status_id = $2", tenant, status_id
        )

    async def record_version(
        self, tenant: str, version: int, at: datetime, actor: str, document: dict[str, Any]
    ) -> None:
        await self._conn.execute(
            "INSERT INTO config_history (tenant, version, changed_at, actor, document)"
            " VALUES ($1, $2, $3, $4, $5)",
            tenant,
            version,
            at,
            actor,
            document,
        )

    async def history(
        self, tenant: str, *, before_version: int | None, limit: int
    ) -> list[HistoryEntry]:
        """Newest first; each entry with the document of the version before it appended last
        when there is one (so the caller can compute what the oldest entry changed)."""
        rows = await self._conn.fetch(
            "SELECT version, changed_at, actor, document FROM config_history"
            " WHERE tenant = $1 AND ($2::bigint IS NULL OR version < $2)"
            " ORDER BY version DESC LIMIT $3",
            tenant,
            before_version,
            limit,
        )
        return [HistoryEntry(r[0], r[1], r[2], r[3]) for r in rows]

    async def version(self, tenant: str, version: int) -> HistoryEntry | None:
        row = await self._conn.fetchrow(
            "SELECT version, changed_at, actor, document FROM config_history"
            " WHERE tenant = $1 AND version = $2",
            tenant,
            version,
        )
        return None if row is None else HistoryEntry(row[0], row[1], row[2], row[3])
