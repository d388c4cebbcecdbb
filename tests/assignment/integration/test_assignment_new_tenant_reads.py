"""A tenant newer than the tables' statistics (onboarded since the last ANALYZE) must still be
read one customer at a time: a check's version read and the reads of one customer's profile,
holdings and appointments fetch that customer's rows, not every row of the tenant."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import asyncpg
import pytest

import cstatus.assignment
from cstatus.assignment.adapters.customer_repository import CustomerRepository
from cstatus.platform.db.migrations import apply_migrations, load_migrations

pytestmark = pytest.mark.integration

MIGRATIONS = Path(cstatus.assignment.__file__).parent / "migrations"
CUSTOMERS = 3_000


async def _rows_fetched(conn: asyncpg.Connection, table: str) -> int:
    """Heap rows this transaction fetched through indexes of `table` so far."""
    found = await conn.fetchval(
        "SELECT idx_tup_fetch FROM pg_stat_xact_user_tables WHERE relid = $1::regclass", table
    )
    return int(found or 0)


async def _customers(conn: asyncpg.Connection, tenant: str) -> None:
    await conn.execute(
        "INSERT INTO customers (tenant, customer_id, last_name, first_name)"
        " SELECT $1, 'c' || n, 'Name' || n, 'First' || n FROM generate_series(1, $2) n",
        tenant,
        CUSTOMERS,
    )
    await conn.execute(
        "INSERT INTO statuses (tenant, customer_id, category_code, status_code, source, since,"
        " updated_by, updated_at, sequence)"
        " SELECT $1, 'c' || n, 'loyalty', 'basic', 'default', now(), 'test', now(), 1"
        " FROM generate_series(1, $2) n",
        tenant,
        CUSTOMERS,
    )
    await conn.execute(
        "INSERT INTO appointments"
        " (tenant, customer_id, reservation_id, arrival_date, booked_at, staff_id)"
        " SELECT $1, 'c' || n, 'r' || n, DATE '2026-12-24', now(), 'anna'"
        " FROM generate_series(1, $2) n",
        tenant,
        CUSTOMERS,
    )


async def test_one_customer_of_a_tenant_unknown_to_the_statistics(
    pg_pool: asyncpg.Pool, schema: str
) -> None:
    repository = CustomerRepository()
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")
        await _customers(conn, "known")
        for table in ("customers", "statuses", "appointments"):
            await conn.execute(f"ANALYZE {table}")
        # Onboarded after the ANALYZE: the statistics estimate it at one row.
        await _customers(conn, "onboarded")
        reads = {
            "customers": (
                lambda: repository.versions(conn, "onboarded", "c7"),
                lambda: repository.profile(conn, "onboarded", "c7"),
            ),
            "statuses": (lambda: repository.holdings(conn, "onboarded", "c7"),),
            "appointments": (
                lambda: repository.appointments(conn, "onboarded", "c7", date(2026, 12, 1)),
                lambda: repository.usual_staff(conn, "onboarded", "c7"),
            ),
        }
        for table, calls in reads.items():
            for call in calls:
                async with conn.transaction():
                    before = await _rows_fetched(conn, table)
                    assert await call()
                    fetched = await _rows_fetched(conn, table) - before
                assert fetched <= 2, (table, call, fetched)
