"""The `names` table: each tenant's translations at its highest configuration version."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from cstatus.audit.domain.names import Names, names_document
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.envelope import CloudEvent

__all__ = ["load_names", "save_names"]


async def save_names(
    conn: asyncpg.Connection, events: Sequence[CloudEvent[ConfigPublished]]
) -> None:
    """Keep each tenant's newest version (an older or repeated one changes nothing)."""
    for event in events:
        data = event.data
        await conn.execute(
            "INSERT INTO names AS n (tenant, version, default_language, document)"
            " VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (tenant) DO UPDATE SET"
            " version = EXCLUDED.version, default_language = EXCLUDED.default_language,"
            " document = EXCLUDED.document, updated_at = now() WHERE n.version < EXCLUDED.version",
            data.tenant,
            data.version,
            data.config.default_language,
            names_document(data.config),  # the pool's jsonb codec encodes it
        )


async def load_names(conn: asyncpg.Connection | asyncpg.Pool, tenant: str) -> Names:
    row = await conn.fetchrow(
        "SELECT default_language, document FROM names WHERE tenant = $1", tenant
    )
    if row is None:
        return Names()
    return Names(row["default_language"], row["document"])
