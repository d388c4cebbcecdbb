"""One test case, two units of work: PostgreSQL and its in-memory twin answer alike (STYLE 6)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest

import cstatus.assignment
from cstatus.assignment.adapters.appointment_rows import AppointmentRows, Booking
from cstatus.assignment.adapters.approval_rows import ApprovalRows
from cstatus.assignment.adapters.config_store import ConfigStore, to_catalogue
from cstatus.assignment.adapters.customer_rows import CustomerRows
from cstatus.assignment.adapters.deferred_proposals import DeferredProposals
from cstatus.assignment.adapters.memory_unit_of_work import InMemoryUnitOfWork
from cstatus.assignment.adapters.postgres_unit_of_work import PostgresUnitOfWork
from cstatus.assignment.domain.decisions import Applied, Refused
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.batch import CustomerBatch
from cstatus.assignment.service.unit_of_work import CustomerUnitOfWork
from cstatus.contracts import topics
from cstatus.contracts.configuration import (
    AppointmentLimit,
    CategoryConfig,
    StatusConfig,
    StatusProperties,
    TenantConfiguration,
)
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
            statuses=(
                StatusConfig(
                    id="lead", code="lead", name="Lead", colour="#336699", is_default=True
                ),
                StatusConfig(id="client", code="client", name="Client", colour="#336699"),
                StatusConfig(
                    id="vip",
                    code="vip",
                    name="VIP",
                    colour="#336699",
                    properties=StatusProperties(
                        max_appointments=AppointmentLimit(count=3, period_days=30)
                    ),
                ),
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
    values: Callable[[str], Awaitable[list[bytes | None]]]
    """The values of the messages put in the outbox for one topic, in order."""


@pytest.fixture(params=["memory", "postgres"])
async def units(request: pytest.FixtureRequest, pg_pool: asyncpg.Pool, schema: str) -> Units:
    if request.param == "memory":
        twin = InMemoryUnitOfWork(catalogues={TENANT: to_catalogue(CONFIG, 1)})

        @contextlib.asynccontextmanager
        async def memory() -> AsyncIterator[CustomerUnitOfWork]:
            yield twin

        async def in_memory() -> list[str]:
            return [m.topic for m in twin.published]

        async def twin_values(topic: str) -> list[bytes | None]:
            return [m.value for m in twin.published if m.topic == topic]

        return Units(memory, in_memory, twin_values)
    config, rows = ConfigStore(), CustomerRows(schema)
    async with pg_pool.acquire() as conn:
        await init_connection(conn)
        await apply_migrations(conn, schema, load_migrations(MIGRATIONS))
        await conn.execute(f"SET search_path TO {schema}, public")  # as the service's pool does
        await config.save(conn, TENANT, 1, CONFIG.model_dump(mode="json"))

    @contextlib.asynccontextmanager
    async def postgres() -> AsyncIterator[CustomerUnitOfWork]:
        async with pg_pool.acquire() as conn, conn.transaction():
            await init_connection(conn)
            await conn.execute(f"SET LOCAL search_path TO {schema}, public")
            yield PostgresUnitOfWork(
                conn,
                rows,
                config,
                AppointmentRows(),
                DeferredProposals(),
                ApprovalRows(),
            )

    async def outbox() -> list[str]:
        return [r["topic"] for r in await pg_pool.fetch(f"SELECT topic FROM {schema}.outbox")]

    async def outbox_values(topic: str) -> list[bytes | None]:
        rows = await pg_pool.fetch(
            f"SELECT value FROM {schema}.outbox WHERE topic = $1 ORDER BY id", topic
        )
        return [r["value"] for r in rows]

    return Units(postgres, outbox, outbox_values)


def _request(ref: str, status: str | None, source: Any, **kw: Any) -> ChangeRequest:
    return ChangeRequest(ref, "relationship", status, source, actor="someone", **kw)


def _booking(customer: str, reservation: str, **kw: Any) -> Booking:
    return Booking(
        TENANT, customer, reservation, kw.get("arrival"), None, kw.get("cancelled", False)
    )


async def test_a_batch_reads_and_writes_the_same_through_either_unit_of_work(units: Units) -> None:
    manual = _request("m-1", "vip", "manual", reason="met the owner")
    proposal = _request("p-1", "client", "automatic")
    async with units.open() as uow:
        touched = await CustomerBatch(uow, NOW, AfterCommit()).record_bookings(
            [_booking("c-2", "r-1", arrival=date(2026, 11, 25))], [(TENANT, "c-2")]
        )
        assert touched == {(TENANT, "c-2")}  # unknown: it gets its defaults
        batch = CustomerBatch(uow, NOW, AfterCommit())
        await batch.open([(TENANT, "c-1"), (TENANT, "c-2")], [(TENANT, "m-1"), (TENANT, "p-1")])
        assert isinstance(
            await batch.change(TENANT, "c-1", manual, publish_rejection=False), Applied
        )
        refused = await batch.change(TENANT, "c-1", proposal, publish_rejection=True)
        assert refused == Refused("pinned", refused.message)
        await batch.update_profile(TENANT, "c-2", {"first_name": "Ada", "tags": ["a"]})
        await batch.touch(TENANT, "c-2")
        await batch.commit()
    published = await units.published()

    async with units.open() as uow:
        batch = CustomerBatch(uow, NOW, AfterCommit())
        touched = await batch.record_bookings(
            [
                _booking("c-2", "r-1", cancelled=True),
                _booking("c-1", "r-2", arrival=date(2026, 11, 26)),
                _booking("c-1", "r-2", arrival=date(2026, 11, 27)),
            ],
            [(TENANT, "c-1"), (TENANT, "c-2")],
        )
        assert touched == {(TENANT, "c-1")}  # vip limits appointments; c-2 needs nothing more
        await batch.open([(TENANT, "c-1"), (TENANT, "c-2")], [(TENANT, "p-1")])
        again = await batch.change(TENANT, "c-1", proposal, publish_rejection=True)
        assert again == refused  # judged once: the same answer, nothing published
        await batch.erase(TENANT, "c-1")
        c1 = await batch.customer(TENANT, "c-1")
        c2 = await batch.customer(TENANT, "c-2")
        await batch.commit()
        held = await uow.holdings([(TENANT, "c-1"), (TENANT, "c-2")])
        appointments = await uow.appointments([(TENANT, "c-1"), (TENANT, "c-2")], date(2026, 11, 1))

    assert sorted(published) == sorted(
        [topics.STATUS_CHANGES] * 3 + [topics.REJECTIONS] + [topics.SNAPSHOTS] * 2
    )
    first = held[(TENANT, "c-1")]["relationship"]
    assert (first.status_code, first.pinned, first.reason, first.sequence) == ("vip", True, None, 2)
    assert held[(TENANT, "c-2")]["relationship"].status_code == "lead"
    assert (c1.profile.erased, c1.profile.first_name, c1.profile.version) == (True, None, 2)
    # a cancellation of a known customer whose restrictions count no appointments: no new version
    assert (c2.profile.first_name, c2.profile.tags, c2.profile.version) == ("Ada", ("a",), 1)
    assert appointments == {(TENANT, "c-1"): [date(2026, 11, 27)]}


async def test_profile_updates_that_change_nothing_else_are_written_set_wise(units: Units) -> None:
    async with units.open() as uow:
        batch = CustomerBatch(uow, NOW, AfterCommit())
        await batch.open([(TENANT, "c-1"), (TENANT, "c-2")])
        await batch.update_profile(TENANT, "c-1", {"first_name": "Ada", "email": "a@x.io"})
        await batch.update_profile(TENANT, "c-2", {"marketing_opt_in": False})
        await batch.commit()

    async with units.open() as uow:
        batch = CustomerBatch(uow, NOW, AfterCommit())
        left = await batch.record_profiles(
            {
                (TENANT, "c-1"): _stamped(last_name="Lovelace", email=None, tags=("vip",)),
                (TENANT, "c-2"): _stamped(marketing_opt_in=True),  # restrictions change
                (TENANT, "c-3"): _stamped(first_name="New"),  # unknown: gets its defaults
            }
        )
        assert left == {(TENANT, "c-2"), (TENANT, "c-3")}
        await batch.open([(TENANT, "c-1"), (TENANT, "c-2")])
        c1 = (await batch.customer(TENANT, "c-1")).profile
        c2 = (await batch.customer(TENANT, "c-2")).profile

    assert (c1.first_name, c1.last_name, c1.email, c1.tags) == ("Ada", "Lovelace", None, ("vip",))
    assert (c1.version, c2.marketing_opt_in) == (1, False)  # no new version; c-2 left alone


def _stamped(at: datetime = NOW, **fields: Any) -> dict[str, tuple[Any, datetime]]:
    return {name: (value, at) for name, value in fields.items()}


async def test_the_latest_profile_event_by_time_wins_per_field_whatever_the_order(
    units: Units,
) -> None:
    """SPEC §1 (v2): found by the reliability suite — an older update processed later used to
    overwrite a newer one (last processed won)."""
    older, newer = NOW - timedelta(days=2), NOW - timedelta(days=1)
    async with units.open() as uow:
        batch = CustomerBatch(uow, NOW, AfterCommit())
        await batch.open([(TENANT, "c-1"), (TENANT, "c-2")])
        await batch.update_profile(TENANT, "c-1", {"email": "new@x.io", "first_name": "Ada"}, newer)
        await batch.update_profile(TENANT, "c-1", {"email": "old@x.io", "last_name": "L"}, older)
        await batch.update_profile(TENANT, "c-2", {"email": "c2@x.io"}, newer)
        await batch.commit()

    async with units.open() as uow:  # the set-wise path keeps the same rule
        batch = CustomerBatch(uow, NOW, AfterCommit())
        left = await batch.record_profiles(
            {
                (TENANT, "c-2"): _stamped(older, email="stale@x.io", first_name="Bo"),
                (TENANT, "c-1"): _stamped(NOW, first_name="Ada B."),
            }
        )
        assert left == set()
        await batch.open([(TENANT, "c-1"), (TENANT, "c-2")])
        c1 = (await batch.customer(TENANT, "c-1")).profile
        c2 = (await batch.customer(TENANT, "c-2")).profile

    assert (c1.email, c1.first_name, c1.last_name) == ("new@x.io", "Ada B.", "L")
    assert (c2.email, c2.first_name) == ("c2@x.io", "Bo")


async def test_no_profile_event_brings_personal_data_back_after_an_erasure(units: Units) -> None:
    """SPEC §1 (v2), found by the reliability suite: an older update arriving after
    `customer.erased` used to restore the name and e-mail."""
    async with units.open() as uow:
        batch = CustomerBatch(uow, NOW, AfterCommit())
        await batch.open([(TENANT, "c-1")])
        await batch.update_profile(
            TENANT, "c-1", {"email": "a@x.io", "marketing_opt_in": True}, NOW - timedelta(days=3)
        )
        await batch.erase(TENANT, "c-1")
        await batch.update_profile(TENANT, "c-1", {"first_name": "Late"}, NOW - timedelta(days=2))
        await batch.commit()
    async with units.open() as uow:
        batch = CustomerBatch(uow, NOW, AfterCommit())
        left = await batch.record_profiles({(TENANT, "c-1"): _stamped(email="late@x.io")})
        assert left == {(TENANT, "c-1")}  # erased: left to the careful path, which drops it
        await batch.open([(TENANT, "c-1")])
        await batch.update_profile(TENANT, "c-1", {"email": "late@x.io"}, NOW)
        c1 = (await batch.customer(TENANT, "c-1")).profile
        await batch.commit()
    assert (c1.erased, c1.email, c1.first_name, c1.marketing_opt_in) == (True, None, None, None)
    assert (await units.values(topics.SNAPSHOTS))[-1] is None  # a tombstone for the erased
