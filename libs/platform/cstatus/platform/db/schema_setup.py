"""A service's schema at start: migrated by the service itself, or by the migrations job while
the service waits for it."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import asyncpg

from cstatus.platform.db.migrations import (
    apply_grants,
    apply_migrations,
    load_migrations,
    platform_migrations,
)
from cstatus.platform.settings import PostgresSettings

__all__ = ["await_migrations", "migrate_schema"]

log = logging.getLogger(__name__)


async def migrate_schema(
    pg: PostgresSettings, schema: str, migrations: Path, *, role: str | None = None
) -> list[str]:
    """Apply the migrations — as the schema's owner when `CSTATUS_PG_MIGRATION_DSN` is set —
    then grant the service's own login `role` (default: the service DSN's user) its rights
    (least privilege); the versions applied now."""
    if role is None:
        conn = await asyncpg.connect(pg.dsn, timeout=pg.connect_timeout_s)
        try:
            role = str(await conn.fetchval("SELECT current_user"))
        finally:
            await conn.close()
    owner = pg.migration_dsn.get_secret_value() if pg.migration_dsn else pg.dsn
    conn = await asyncpg.connect(owner, timeout=pg.connect_timeout_s)
    try:
        applied = await apply_migrations(conn, schema, load_migrations(migrations))
        if role != await conn.fetchval("SELECT current_user"):
            await apply_grants(conn, schema, role, migrations)
    finally:
        await conn.close()
    return applied


async def await_migrations(
    pool: asyncpg.Pool, schema: str, migrations: Path, *, every_s: float = 2.0
) -> None:
    """Wait until the schema holds every migration this code knows (a job applies them)."""
    known = {m.version for m in [*platform_migrations(), *load_migrations(migrations)]}
    while True:
        try:
            rows = await pool.fetch(f"SELECT version FROM {schema}.schema_migrations")
            missing = known - {r["version"] for r in rows}
        except asyncpg.UndefinedTableError:
            missing = known
        if not missing:
            return
        log.warning(
            "schema %s lacks %d migrations (%s…): waiting for the migrations job",
            schema,
            len(missing),
            min(missing),
        )
        await asyncio.sleep(every_s)
