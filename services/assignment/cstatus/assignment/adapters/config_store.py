"""Tenant configurations in PostgreSQL: the highest version per tenant, parsed once per version."""

from __future__ import annotations

from typing import Any

import asyncpg

from cstatus.assignment.domain.catalogue import Catalogue, Category, Status
from cstatus.contracts.configuration import StatusConfig, TenantConfiguration

__all__ = ["ConfigStore", "to_catalogue"]

EMPTY = Catalogue()


def _status(config: StatusConfig) -> Status:
    return Status(
        code=config.code,
        name=config.name,
        colour=config.colour,
        system_state=config.system_state,
        is_default=config.is_default,
        sticky=config.sticky,
        archived=config.archived,
        requires_approval=config.requires_approval,
        icon_url=config.icon_url,
        display_as=config.display_as,
        properties=config.properties,
        names={lang: t.name for lang, t in config.translations.items()},
    )


def to_catalogue(config: TenantConfiguration, version: int) -> Catalogue:
    return Catalogue(
        version=version,
        default_language=config.default_language,
        categories={
            c.code: Category(
                code=c.code,
                update_mode=c.update_mode,
                manual_override_allowed=c.manual_override_allowed,
                reason_required=c.reason_required,
                archived=c.archived,
                statuses={s.code: _status(s) for s in c.statuses},
                name=c.name,
                names={lang: t.name for lang, t in c.translations.items()},
            )
            for c in config.categories
        },
    )


class ConfigStore:
    """Reads and writes `tenant_config`; keeps the parsed catalogue of each version it has read."""

    def __init__(self) -> None:
        self._parsed: dict[str, Catalogue] = {}

    async def save(
        self, conn: asyncpg.Connection, tenant: str, version: int, document: dict[str, Any]
    ) -> bool:
        """Keep `version` if it is higher than the stored one; True when it was kept."""
        kept = await conn.fetchval(
            "INSERT INTO tenant_config AS c (tenant, version, document)"
            " VALUES ($1, $2, $3) ON CONFLICT (tenant) DO UPDATE"
            " SET version = EXCLUDED.version, document = EXCLUDED.document, updated_at = now()"
            " WHERE c.version < EXCLUDED.version RETURNING version",
            tenant,
            version,
            document,
        )
        return kept is not None

    async def load(self, conn: asyncpg.Connection | asyncpg.Pool, tenant: str) -> Catalogue:
        version = await conn.fetchval("SELECT version FROM tenant_config WHERE tenant = $1", tenant)
        if version is None:
            return EMPTY
        cached = self._parsed.get(tenant)
        if cached is not None and cached.version == version:
            return cached
        row = await conn.fetchrow(
            "SELECT version, document FROM tenant_config WHERE tenant = $1",
            tenant,
        )
        assert row is not None
        parsed = to_catalogue(TenantConfiguration.model_validate(row["document"]), row["version"])
        self._parsed[tenant] = parsed
        return parsed
