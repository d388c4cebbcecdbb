"""The customer unit of work on one PostgreSQL connection, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import asyncpg

from cstatus.assignment.adapters.appointment_rows import AppointmentRows, Booking
from cstatus.assignment.adapters.approval_rows import ApprovalRows
from cstatus.assignment.adapters.config_store import ConfigStore
from cstatus.assignment.adapters.customer_repository import Profile
from cstatus.assignment.adapters.customer_rows import CustomerRows, Key
from cstatus.assignment.adapters.deferred_proposals import DeferredProposals
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.holding import ChangeRequest, Holding
from cstatus.assignment.domain.profile import Stamped
from cstatus.assignment.service.unit_of_work import Writes
from cstatus.platform.db.outbox import OutboxMessage, enqueue

__all__ = ["PostgresUnitOfWork"]


class PostgresUnitOfWork:
    def __init__(
        self,
        conn: asyncpg.Connection,
        rows: CustomerRows,
        config: ConfigStore,
        bookings: AppointmentRows,
        deferred: DeferredProposals,
        approvals: ApprovalRows,
    ) -> None:
        self._conn = conn
        self._rows = rows
        self._config = config
        self._bookings = bookings
        self._deferred = deferred
        self._approvals = approvals

    async def lock(self, keys: Iterable[Key]) -> dict[Key, Profile]:
        return await self._rows.lock(self._conn, keys)

    async def holdings(self, keys: Iterable[Key]) -> dict[Key, dict[str, Holding]]:
        return await self._rows.holdings(self._conn, keys)

    async def outcomes(self, refs: Iterable[Key]) -> dict[Key, dict[str, Any]]:
        return await self._rows.outcomes(self._conn, refs)

    async def catalogue(self, tenant: str) -> Catalogue:
        return await self._config.load(self._conn, tenant)

    async def write(self, writes: Writes) -> None:
        conn, rows = self._conn, self._rows
        await rows.erase_reasons(conn, writes.erased)
        await rows.save_changes(conn, writes.changes)
        await rows.save_holdings(conn, writes.holdings)
        await rows.save_outcomes(conn, writes.outcomes)
        await rows.save_profiles(conn, writes.profiles)
        await self._deferred.save(conn, writes.deferred)
        await self._approvals.add(conn, writes.approvals)

    async def take_deferred(self, tenant: str, version: int) -> list[tuple[str, ChangeRequest]]:
        return await self._deferred.take(self._conn, tenant, version)

    async def record_bookings(
        self, bookings: Sequence[Booking], seen: Iterable[Key], catalogues: Mapping[str, Catalogue]
    ) -> set[Key]:
        return await self._bookings.record(self._conn, bookings, seen, catalogues)

    async def update_profiles(
        self, updates: Mapping[Key, Stamped], catalogues: Mapping[str, Catalogue]
    ) -> set[Key]:
        return await self._rows.update_profiles(self._conn, updates, catalogues)

    async def appointments(self, keys: Iterable[Key], since: date) -> dict[Key, list[date]]:
        return await self._bookings.appointments(self._conn, keys, since)

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        await enqueue(self._conn, self._rows.schema, messages)
