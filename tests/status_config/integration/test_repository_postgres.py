"""The PostgreSQL unit of work passes the repository case (its in-memory twin passes it too)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from repository_case import RepositoryCase, Units

from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.platform.db.pool import create_pool
from cstatus.platform.settings import PostgresSettings
from cstatus.status_config.adapters.unit_of_work import postgres_unit_of_work
from cstatus.status_config.bootstrap import MIGRATIONS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def schema_pool(stack: Any, pg_pool: asyncpg.Pool) -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    schema = f"t_scr_{uuid.uuid4().hex[:10]}"
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
    pool = await create_pool(PostgresSettings(dsn=stack.pg_dsn, pool_max=2), schema=schema)
    yield schema, pool
    await pool.close()
    await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


class TestPostgresRepository(RepositoryCase):
    @pytest.fixture
    def units(self, schema_pool: tuple[str, asyncpg.Pool]) -> Units:
        schema, pool = schema_pool
        return lambda: postgres_unit_of_work(pool, schema)
