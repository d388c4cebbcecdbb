"""A tenant newer than the tables' statistics (onboarded since the last ANALYZE, as every bench
and soak tenant is) must still be read by customer: the per-customer reads of `activity` and
`holdings` look customers up in an index instead of reading all of the tenant's rows and
filtering them (which made each call cost as much as the tenant's whole history)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.rules_engine.adapters.activity_store import OF_CUSTOMERS, record_activity
from cstatus.rules_engine.bootstrap import MIGRATIONS
from cstatus.rules_engine.domain.facts import ActivityEvent

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _conditions(plan: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(node, index condition, filter) of every node of an EXPLAIN (FORMAT JSON) plan."""
    found = [(plan["Node Type"], plan.get("Index Cond", ""), plan.get("Filter", ""))]
    for child in plan.get("Plans", ()):
        found += _conditions(child)
    return found


async def _plan(conn: asyncpg.Connection, table: str, tenant: str) -> list[tuple[str, str, str]]:
    document = await conn.fetchval(
        f"EXPLAIN (FORMAT JSON) SELECT * FROM {table} WHERE {OF_CUSTOMERS}",
        tenant,
        ["c1", "c2", "c3"],
    )
    plans = json.loads(document) if isinstance(document, str) else document  # a json codec or not
    return _conditions(plans[0]["Plan"])


async def test_a_tenant_unknown_to_the_statistics_is_read_by_customer(
    pg_pool: asyncpg.Pool, schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")
        rows = [
            (
                "known",
                f"c{n % 500}",
                ActivityEvent(f"e{n}", "payment.captured", NOW - timedelta(minutes=n), f"r{n}"),
            )
            for n in range(5_000)
        ]
        await record_activity(conn, rows)
        await conn.execute(
            "INSERT INTO holdings (tenant, customer, category, status_code, sequence)"
            " SELECT 'known', 'c' || n, 'loyalty', 'basic', 1 FROM generate_series(0, 4999) n"
        )
        await conn.execute("ANALYZE activity")
        await conn.execute("ANALYZE holdings")
        # Onboarded after the ANALYZE: the statistics estimate it at one row.
        await record_activity(conn, [("onboarded", c, e) for _, c, e in rows[:2_000]])
        for table in ("activity", "holdings"):
            nodes = await _plan(conn, table, "onboarded")
            assert any("customer" in cond for _, cond, _ in nodes), (table, nodes)
            assert not any("customer" in where for _, _, where in nodes), (table, nodes)
