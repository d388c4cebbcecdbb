"""The PostgreSQL ingest store passes the case (its in-memory twin passes it too)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date

import asyncpg
import pytest
from ingest_case import IngestCase, IngestTwin, IngestTwins

from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.rules_engine.adapters.ingest_store import PostgresIngestStore
from cstatus.rules_engine.adapters.views import record_sweep
from cstatus.rules_engine.bootstrap import MIGRATIONS

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def ingest_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    schema = f"t_rei_{uuid.uuid4().hex[:10]}"
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
    yield schema
    await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


class TestPostgresIngest(IngestCase):
    @pytest.fixture
    def twin(self, pg_pool: asyncpg.Pool, ingest_schema: str) -> IngestTwins:
        @contextlib.asynccontextmanager
        async def open_twin() -> AsyncIterator[IngestTwin]:
            async with pg_pool.acquire() as conn:
                await conn.execute(f"SET search_path TO {ingest_schema}, public")
                try:
                    async with conn.transaction():

                        async def jobs(tenant: str) -> dict[str, int]:
                            rows = await conn.fetch(
                                "SELECT category, version FROM reevaluations WHERE tenant = $1",
                                tenant,
                            )
                            return {r["category"]: r["version"] for r in rows}

                        async def outliers(tenant: str, customer: str) -> list[str]:
                            rows = await conn.fetch(
                                "SELECT event_id FROM outliers WHERE tenant = $1"
                                " AND customer = $2 ORDER BY event_id",
                                tenant,
                                customer,
                            )
                            return [r["event_id"] for r in rows]

                        async def sweep(tenant: str, day: date) -> None:
                            await record_sweep(conn, tenant, day)

                        store = PostgresIngestStore(conn, ingest_schema)
                        yield IngestTwin(store, jobs, outliers, sweep)
                finally:
                    await conn.execute("RESET search_path")

        return open_twin
