"""The PostgreSQL audit log passes the case (its in-memory twin passes it too)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from log_case import AT, Changes, LogCase, Twin

from cstatus.audit.adapters.keys import key_state
from cstatus.audit.adapters.log_store import PostgresAuditLog
from cstatus.audit.bootstrap import MIGRATIONS
from cstatus.audit.service.unit_of_work import AuditLog
from cstatus.platform.db.migrations import apply_migrations, load_migrations

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def log_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    schema = f"t_aul_{uuid.uuid4().hex[:10]}"
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
    yield schema
    await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


class TestPostgresLog(LogCase):
    @pytest.fixture
    def twin(self, pg_pool: asyncpg.Pool, log_schema: str) -> Twin:
        @contextlib.asynccontextmanager
        async def open_twin() -> AsyncIterator[tuple[AuditLog, Changes]]:
            async with pg_pool.acquire() as conn:
                await conn.execute(f"SET search_path TO {log_schema}, public")
                try:
                    async with conn.transaction():

                        async def changes(tenant: str) -> list[tuple[str, bool]]:
                            rows = await conn.fetch(
                                "SELECT c.change_id, k.key IS NOT NULL AND"
                                " c.reason_sealed IS NOT NULL AS readable FROM change_log c"
                                " JOIN customer_keys k USING (tenant, customer_id)"
                                " WHERE c.tenant = $1 ORDER BY c.id",
                                tenant,
                            )
                            return [(r[0], r[1]) for r in rows]

                        yield PostgresAuditLog(conn), changes
                finally:
                    await conn.execute("RESET search_path")

        return open_twin


async def test_the_first_erasure_is_the_one_kept(pg_pool: asyncpg.Pool, log_schema: str) -> None:
    """(PostgreSQL only: the time and id of the erasure are read by the export.)"""
    async with pg_pool.acquire() as conn:
        await conn.execute(f"SET search_path TO {log_schema}, public")
        log = PostgresAuditLog(conn)
        await log.erase_customer("au-x", "c-1", erasure_id="e-1", at=AT)
        await log.erase_customer("au-x", "c-1", erasure_id="e-2", at=AT.replace(hour=10))
        known, erased_at = await key_state(conn, "au-x", "c-1")
        await conn.execute("RESET search_path")
    assert known and erased_at == AT
