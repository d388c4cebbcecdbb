"""One PostgreSQL transaction: the repository's writes and the outbox rows commit together."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import asyncpg

from cstatus.platform.db.outbox import OutboxMessage, enqueue
from cstatus.status_config.adapters.repository import PostgresConfigRepository

__all__ = ["PostgresUnitOfWork", "postgres_unit_of_work"]


class PostgresUnitOfWork:
    def __init__(self, conn: asyncpg.Connection, schema: str) -> None:
        self.repo = PostgresConfigRepository(conn)
        self._conn = conn
        self._schema = schema

    async def publish(self, topic: str, key: bytes, value: bytes) -> None:
        await enqueue(self._conn, self._schema, [OutboxMessage(topic, key, value)])


def postgres_unit_of_work(
    pool: asyncpg.Pool, schema: str
) -> contextlib.AbstractAsyncContextManager[PostgresUnitOfWork]:
    """`async with` it: commits when the block ends normally, rolls back when it raises."""

    @contextlib.asynccontextmanager
    async def unit() -> AsyncIterator[PostgresUnitOfWork]:
        async with pool.acquire() as conn, conn.transaction():
            yield PostgresUnitOfWork(conn, schema)

    return unit()
