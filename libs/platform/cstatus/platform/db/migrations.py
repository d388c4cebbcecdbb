"""Numbered SQL migrations, applied once each, in order, per service schema.

A service keeps `migrations/0001_name.sql`, `0002_…` beside its package. The platform's own tables
(inbox, outbox) come first, as migrations named `platform_*`. Applying is serialised across replicas
by an advisory lock and each file runs in its own transaction with its bookkeeping row.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import asyncpg

__all__ = [
    "DEFAULT_GRANTS",
    "Migration",
    "apply_grants",
    "apply_migrations",
    "load_migrations",
    "platform_migrations",
]

DEFAULT_GRANTS = """
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
"""
"""What a service's own login role may do in its schema when the service has no `grants.sql`:
read and write rows, never change the schema (that is the owner's, through migrations)."""
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: str
    sql: str


def load_migrations(directory: Path, *, prefix: str = "") -> list[Migration]:
    """The `NNNN_name.sql` files of a directory, in order; other names are an error."""
    found: list[Migration] = []
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql" or path.name == "grants.sql":
            continue
        if not _NAME.match(path.name):
            raise ValueError(f"migration file name must look like 0001_name.sql: {path}")
        found.append(Migration(prefix + path.stem, path.read_text(encoding="utf-8")))
    return found


def platform_migrations() -> list[Migration]:
    """The inbox and outbox tables every service schema holds."""
    root = resources.files("cstatus.platform") / "db" / "sql"
    return load_migrations(Path(str(root)), prefix="platform_")


def _lock_key(schema: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"migrate:{schema}".encode()).digest()[:8], "big", signed=True
    )


async def apply_migrations(
    conn: asyncpg.Connection, schema: str, migrations: list[Migration]
) -> list[str]:
    """Create `schema` if needed and apply the platform's and the given migrations not yet applied.

    Returns the versions applied by this call. `{schema}` in a file is replaced by the schema name.
    """
    if not _SCHEMA.match(schema):
        raise ValueError(f"invalid schema name: {schema!r}")
    applied_now: list[str] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _lock_key(schema))
    try:
        await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {schema}.schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {
            r["version"]
            for r in await conn.fetch(f"SELECT version FROM {schema}.schema_migrations")
        }
        for migration in [*platform_migrations(), *migrations]:
            if migration.version in done:
                continue
            async with conn.transaction():
                await conn.execute(f"SET LOCAL search_path TO {schema}, public")
                await conn.execute(migration.sql.replace("{schema}", schema))
                await conn.execute(
                    f"INSERT INTO {schema}.schema_migrations (version) VALUES ($1)",
                    migration.version,
                )
            applied_now.append(migration.version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _lock_key(schema))
    return applied_now


async def apply_grants(
    conn: asyncpg.Connection, schema: str, role: str, directory: Path | None = None
) -> None:
    """As the schema's owner, give the service's login `role` its rights: the service's
    `grants.sql` beside its migrations (`{schema}` and `{role}` replaced), else `DEFAULT_GRANTS`.
    Applied at every start, so tables of new migrations are covered."""
    if not _SCHEMA.match(schema) or not _ROLE.match(role):
        raise ValueError(f"invalid schema or role name: {schema!r}, {role!r}")
    grants = directory / "grants.sql" if directory is not None else None
    sql = grants.read_text(encoding="utf-8") if grants and grants.exists() else DEFAULT_GRANTS
    await conn.execute(sql.replace("{schema}", schema).replace("{role}", role))
