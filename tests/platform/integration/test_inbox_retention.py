"""The inbox has a retention (SPEC §3 v2: tables that grow with traffic): rows older than the
window are pruned, newer ones kept (before, it grew without bound)."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from cstatus.platform.db.inbox import claim_many
from cstatus.platform.db.migrations import apply_migrations
from cstatus.platform.db.retention import prune_inbox

pytestmark = pytest.mark.integration


async def test_old_inbox_rows_are_pruned_and_recent_ones_kept(
    pg_pool: asyncpg.Pool, schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, [])
        await claim_many(conn, schema, "c", [("t", f"old-{n}") for n in range(7)])
        await claim_many(conn, schema, "c", [("t", "new")])
        await conn.execute(
            f"UPDATE {schema}.inbox SET received_at = now() - interval '9 days'"
            " WHERE event_id LIKE 'old-%'"
        )
    assert await prune_inbox(pg_pool, schema, timedelta(days=8), batch=3) == 7
    left = await pg_pool.fetch(f"SELECT event_id FROM {schema}.inbox")
    assert [r["event_id"] for r in left] == ["new"]
