"""The outbox relay: publishes committed outbox rows in order, then deletes them.

- Only committed rows are visible to it, so nothing from a rolled-back transaction is published.
- Rows are published in id order and a batch is deleted only after the broker acknowledged all of
  it; a crash between the two re-publishes that batch on restart (at-least-once; consumers
  de-duplicate by event id through their inbox).
- One relay at a time per schema: it holds a session advisory lock; other replicas stand by and
  take over when the holder's connection goes away.
- Woken by LISTEN/NOTIFY on each commit, with a polling fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging

import asyncpg

from cstatus.platform.db.outbox import OutboxMessage, notify_channel
from cstatus.platform.kafka.producer import MessageSink

__all__ = ["OutboxRelay"]

log = logging.getLogger(__name__)


def _lock_key(schema: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"relay:{schema}".encode()).digest()[:8], "big", signed=True
    )


def _message(row: asyncpg.Record) -> OutboxMessage:
    headers = row["headers"]
    if isinstance(headers, str):
        headers = json.loads(headers)
    return OutboxMessage(
        topic=row["topic"],
        key=row["key"],
        value=row["value"],
        headers=tuple((name, value.encode("latin-1")) for name, value in headers),
    )


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        sink: MessageSink,
        *,
        batch_size: int = 1_000,
        poll_interval_s: float = 1.0,
        standby_interval_s: float = 2.0,
    ) -> None:
        self._pool = pool
        self._schema = schema
        self._sink = sink
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._standby_interval_s = standby_interval_s
        self._wake = asyncio.Event()
        self.published = 0
        self.is_leader = False

    async def run(self) -> None:
        """Relay until cancelled; survives database and broker outages by trying again."""
        while True:
            try:
                async with self._pool.acquire() as conn:
                    await self._lead(conn)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                self.is_leader = False
                log.warning("outbox relay of %s interrupted: %r", self._schema, error)
                await asyncio.sleep(self._standby_interval_s)

    async def _lead(self, conn: asyncpg.Connection) -> None:
        while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(self._schema)):
            await asyncio.sleep(self._standby_interval_s)
        channel = notify_channel(self._schema)
        await conn.add_listener(channel, self._on_notify)
        self.is_leader = True
        try:
            while True:
                self._wake.clear()
                relayed = await self.relay_once(conn)
                if relayed < self._batch_size:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
        finally:
            self.is_leader = False
            if not conn.is_closed():
                await conn.remove_listener(channel, self._on_notify)
                await conn.execute("SELECT pg_advisory_unlock($1)", _lock_key(self._schema))

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def relay_once(self, conn: asyncpg.Connection) -> int:
        """Publish one batch of committed rows and delete them; return how many."""
        rows = await conn.fetch(
            f"SELECT id, topic, key, value, headers FROM {self._schema}.outbox ORDER BY id LIMIT $1",
            self._batch_size,
        )
        if not rows:
            return 0
        await self._sink.send_batch([_message(r) for r in rows])
        await conn.execute(
            f"DELETE FROM {self._schema}.outbox WHERE id = ANY($1::bigint[])",
            [r["id"] for r in rows],
        )
        self.published += len(rows)
        return len(rows)
