"""The customer unit of work on one PostgreSQL connection, inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import asyncpg

from cstatus.assignment.adapters.config_store import ConfigStore
from cstatus.assignment.adapters.customer_repository import Profile
from cstatus.assignment.adapters.customer_rows import CustomerRows, Key
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.domain.holding import Holding
from cstatus.assignment.service.unit_of_work import Writes
from cstatus.platform.db.outbox import OutboxMessage, enqueue

__all__ = ["PostgresUnitOfWork"]


class PostgresUnitOfWork:
    def __init__(self, conn: asyncpg.Connection, rows: CustomerRows, config: ConfigStore) -> None:
        self._conn = conn
        self._rows = rows
        self._config = config

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
        await rows.book(conn, writes.bookings)
        await rows.save_profiles(conn, writes.profiles)

    async def appointments(self, keys: Iterable[Key], since: date) -> dict[Key, list[date]]:
        return await self._rows.appointments(self._conn, keys, since)

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        await enqueue(self._conn, self._rows.schema, messages)
