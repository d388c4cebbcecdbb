"""Numbered migrations per schema, applied once each."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from cstatus.platform.db.migrations import apply_migrations, load_migrations

pytestmark = pytest.mark.integration


async def test_migrations_apply_once_in_order(
    pg_pool: asyncpg.Pool, schema: str, tmp_path: Path
) -> None:
    (tmp_path / "0001_things.sql").write_text("CREATE TABLE things (id int PRIMARY KEY);")
    (tmp_path / "0002_more.sql").write_text("ALTER TABLE things ADD COLUMN name text;")
    async with pg_pool.acquire() as conn:
        first = await apply_migrations(conn, schema, load_migrations(tmp_path))
        second = await apply_migrations(conn, schema, load_migrations(tmp_path))
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = 'things' ORDER BY ordinal_position",
            schema,
        )
    assert first == [
        "platform_0001_inbox",
        "platform_0002_outbox",
        "platform_0003_outbox_parked",
        "platform_0004_inbox_retention",
        "platform_0005_outbox_tombstones",
        "0001_things",
        "0002_more",
    ]
    assert second == []
    assert [c["column_name"] for c in columns] == ["id", "name"]


async def test_a_failing_migration_leaves_nothing_half_applied(
    pg_pool: asyncpg.Pool, schema: str, tmp_path: Path
) -> None:
    (tmp_path / "0001_bad.sql").write_text("CREATE TABLE ok (id int); SELECT broken_function();")
    async with pg_pool.acquire() as conn:
        with pytest.raises(asyncpg.UndefinedFunctionError):
            await apply_migrations(conn, schema, load_migrations(tmp_path))
        assert await conn.fetchval("SELECT to_regclass($1)", f"{schema}.ok") is None


def test_misnamed_migration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "1_things.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match=r"0001_name\.sql"):
        load_migrations(tmp_path)
