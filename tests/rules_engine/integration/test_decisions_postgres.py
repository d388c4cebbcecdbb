"""The PostgreSQL decision store passes the case (its in-memory twin passes it too)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from decisions_case import DecisionsCase, Twin, Twins

from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.rules_engine.adapters.activity_store import record_activity, record_customers
from cstatus.rules_engine.adapters.decision_store import PostgresDecisionStore
from cstatus.rules_engine.adapters.views import record_changes
from cstatus.rules_engine.bootstrap import MIGRATIONS
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.holdings import HoldingChange
from cstatus.rules_engine.domain.tenant import Held

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def decisions_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    schema = f"t_red_{uuid.uuid4().hex[:10]}"
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
    yield schema
    await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


class TestPostgresDecisions(DecisionsCase):
    @pytest.fixture
    def twin(self, pg_pool: asyncpg.Pool, decisions_schema: str) -> Twins:
        @contextlib.asynccontextmanager
        async def open_twin() -> AsyncIterator[Twin]:
            async with pg_pool.acquire() as conn:
                await conn.execute(f"SET search_path TO {decisions_schema}, public")
                try:
                    async with conn.transaction():

                        async def record(
                            tenant: str, customer: str, events: list[ActivityEvent]
                        ) -> None:
                            await record_customers(conn, [(tenant, customer)])
                            await record_activity(conn, [(tenant, customer, e) for e in events])

                        async def hold(
                            tenant: str, customer: str, category: str, held: Held
                        ) -> None:
                            current = held.current
                            change = HoldingChange(
                                tenant,
                                customer,
                                category,
                                current.status_code,
                                held.system_state,
                                current.pinned or None,
                                current.pinned_until,
                                held.sequence,
                                current.entered_by,
                            )
                            await record_changes(conn, [change])

                        yield Twin(PostgresDecisionStore(conn, decisions_schema), record, hold)
                finally:
                    await conn.execute("RESET search_path")

        return open_twin
