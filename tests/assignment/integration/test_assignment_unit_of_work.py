"""One test case, two units of work: PostgreSQL and its in-memory twin answer alike (STYLE 6)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import cstatus.assignment
from cstatus.assignment.adapters.config_store import ConfigStore, to_catalogue
from cstatus.assignment.adapters.customer_rows import CustomerRows
from cstatus.assignment.adapters.memory_unit_of_work import InMemoryUnitOfWork
from cstatus.assignment.adapters.postgres_unit_of_work import PostgresUnitOfWork
from cstatus.assignment.domain.guards import Applied, Refused
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.batch import CustomerBatch
from cstatus.assignment.service.unit_of_work import CustomerUnitOfWork
from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig, StatusConfig, TenantConfiguration
from cstatus.platform.db.migrations import apply_migrations, load_migrations
from cstatus.platform.db.pool import init_connection

pytestmark = pytest.mark.integration

TENANT = "acme"
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
MIGRATIONS = Path(cstatus.assignment.__file__).parent / "migrations"
CONFIG = TenantConfiguration(
    categories=(
        CategoryConfig(
            id="c1",
            code="relationship",
            name="Relationship",
            update_mode="automatic",
            manual_override_allowed=True,
            statuses=tuple(
                StatusConfig(id=code, code=code, name=code, colour="#336699", is_default=default)
                for code, default in (("lead", True), ("client", False), ("vip", False))
            ),
        ),
    )
)


@dataclass(frozen=True, slots=True)
class Units:
    open: Callable[[], contextlib.AbstractAsyncContextManager[CustomerUnitOfWork]]
    """`async with units.open() as uow:` one unit of work (one transaction)."""
    published: Callable[[], Awaitable[list[str]]]
    """The topics of every message put in the outbox so far."""


@pytest.fixture(params=["memory", "postgres"])
async def units(request: pytest.FixtureRequest, pg_pool: asyncpg.Pool, schema: str) -> Units:
    if request.param == "memory":
        twin = InMemoryUnitOfWork(catalogues={TENANT: to_catalogue(CONFIG, 1)})

        @contextlib.asynccontextmanager
        async def memory() -> AsyncIterator[CustomerUnitOfWork]:
            yield twin

        async def in_memory() -> list[str]:
            return [m.topic for m in twin.published]

        return Units(memory, in_memory)
    config, rows = ConfigStore(schema), CustomerRows(schema)
    async with pg_pool.acquire() as conn:
        await init_connection(conn)
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await config.save(conn, TENANT, 1, CONFIG.model_dump(mode="json"))

    @contextlib.asynccontextmanager
    async def postgres() -> AsyncIterator[CustomerUnitOfWork]:
        async with pg_pool.acquire() as conn, conn.transaction():
            await init_connection(conn)
            yield PostgresUnitOfWork(conn, rows, config)

    async def outbox() -> list[str]:
        return [r["topic"] for r in await pg_pool.fetch(f"SELECT topic FROM {schema}.outbox")]

    return Units(postgres, outbox)


def _request(ref: str, status: str | None, source: Any, **kw: Any) -> ChangeRequest:
    return ChangeRequest(ref, "relationship", status, source, actor="someone", **kw)


async def _batch(uow: CustomerUnitOfWork, refs: list[str]) -> CustomerBatch:
    batch = CustomerBatch(uow, NOW, AfterCommit())
    await batch.open([(TENANT, "c-1"), (TENANT, "c-2")], [(TENANT, r) for r in refs])
    return batch


async def test_a_batch_reads_and_writes_the_same_through_either_unit_of_work(units: Units) -> None:
    manual = _request("m-1", "vip", "manual", reason="met the owner")
    proposal = _request("p-1", "client", "automatic")
    async with units.open() as uow:
        batch = await _batch(uow, ["m-1", "p-1"])
        assert isinstance(
            await batch.change(TENANT, "c-1", manual, publish_rejection=False), Applied
        )
        refused = await batch.change(TENANT, "c-1", proposal, publish_rejection=True)
        assert refused == Refused("pinned", refused.message)
        await batch.update_profile(TENANT, "c-2", {"first_name": "Ada", "tags": ["a"]})
        await batch.book(TENANT, "c-2", "r-1", arrival=date(2026, 11, 25))
        await batch.commit()
    published = await units.published()

    async with units.open() as uow:
        batch = await _batch(uow, ["p-1"])
        again = await batch.change(TENANT, "c-1", proposal, publish_rejection=True)
        assert again == refused  # judged once: the same answer, nothing published
        await batch.erase(TENANT, "c-1")
        await batch.book(TENANT, "c-2", "r-1", cancelled=True)
        c1 = await batch.customer(TENANT, "c-1")
        c2 = await batch.customer(TENANT, "c-2")
        await batch.commit()
        held = await uow.holdings([(TENANT, "c-1"), (TENANT, "c-2")])
        appointments = await uow.appointments([(TENANT, "c-2")], date(2026, 11, 1))

    assert sorted(published) == sorted(
        [topics.STATUS_CHANGES] * 3 + [topics.REJECTIONS] + [topics.SNAPSHOTS] * 2
    )
    first = held[(TENANT, "c-1")]["relationship"]
    assert (first.status_code, first.pinned, first.reason, first.sequence) == ("vip", True, None, 2)
    assert held[(TENANT, "c-2")]["relationship"].status_code == "lead"
    assert (c1.profile.erased, c1.profile.first_name, c1.profile.version) == (True, None, 2)
    assert (c2.profile.first_name, c2.profile.tags, c2.profile.version) == ("Ada", ("a",), 2)
    assert appointments == {}
