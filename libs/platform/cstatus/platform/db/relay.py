"""The outbox relay: publishes committed outbox rows in order, then deletes them.

- Only committed rows are visible to it, so nothing from a rolled-back transaction is published.
- Rows are published in id order and a batch is deleted only after the broker acknowledged all of
  it; a crash between the two re-publishes that batch on restart (at-least-once; consumers
  de-duplicate by event id through their inbox).
- One relay at a time per schema: it holds a session advisory lock; other replicas stand by and
  take over when the holder's connection goes away.
- Fenced: before each publish it checks, on its own connection, that it still holds the lock;
  a relay that lost it (its connection dropped and another replica took over) publishes nothing.
- One message the broker refuses for good (over its size limit, say) never blocks the others:
  the batch is sent again one message at a time, and a message refused with a non-retriable
  error is moved to `outbox_parked` with its error (a log line and `parked` count tell).
- Woken by LISTEN/NOTIFY on each commit, with a polling fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging

import asyncpg

from cstatus.platform import failpoints
from cstatus.platform.db.outbox import OutboxMessage, notify_channel
from cstatus.platform.kafka.producer import MessageSink, refused_for_good

__all__ = ["NotLeader", "OutboxRelay"]


class NotLeader(RuntimeError):
    """The relay no longer holds its schema's lock: another replica publishes now."""


log = logging.getLogger(__name__)


def _lock_key(schema: str) -> int:
    return int.from_bytes(
        hashlib.sha256(f"relay:{schema}".encode()).digest()[:8], "big", signed=True
    )


_HOLDS_LOCK = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid::bigint = $1 AND objid::bigint = $2"
    " AND objsubid = 1)"
)
"""A bigint advisory key shows in pg_locks as its high 32 bits (classid) and low 32 (objid)."""


STRUCTURED = (("content-type", b"application/cloudevents+json"),)
"""What the CloudEvents Kafka binding names a structured-mode record by, so every SDK (the Java
one needs it) reads what we publish; a message that has a content type keeps its own."""


def _message(row: asyncpg.Record) -> OutboxMessage:
    headers = row["headers"]
    if isinstance(headers, str):
        headers = json.loads(headers)
    encoded = tuple((name, value.encode("latin-1")) for name, value in headers)
    if row["value"] is not None and not any(n.lower() == "content-type" for n, _ in encoded):
        encoded = STRUCTURED + encoded
    return OutboxMessage(topic=row["topic"], key=row["key"], value=row["value"], headers=encoded)


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
        self.parked = 0
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

    async def try_lead(self, conn: asyncpg.Connection) -> bool:
        """Take the schema's relay lock on `conn` if no other relay holds it."""
        return bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", _lock_key(self._schema)))

    async def _lead(self, conn: asyncpg.Connection) -> None:
        while not await self.try_lead(conn):
            await asyncio.sleep(self._standby_interval_s)
        channel = notify_channel(self._schema)
        await conn.add_listener(channel, self._on_notify)
        self.is_leader = True
        try:
            while True:
                self._wake.clear()
                relayed = await self.relay_once(conn)
                if relayed < self._batch_size:
                    # asyncio.timeout, not wait_for: on 3.11 wait_for drops a cancellation that
                    # meets a wake-up in the same tick, and the relay would never stop.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._poll_interval_s):
                            await self._wake.wait()
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
            f"SELECT id, topic, key, value, headers, created_at FROM {self._schema}.outbox"
            " ORDER BY id LIMIT $1",
            self._batch_size,
        )
        if not rows:
            return 0
        await self._fence(conn)
        try:
            await self._sink.send_batch([_message(r) for r in rows])
        except Exception as error:
            if not refused_for_good(error):
                raise
            await self._one_by_one(conn, rows)
            return len(rows)
        failpoints.hit("relay-after-publish")  # the reliability suite's crash between the two
        await self._delete(conn, [r["id"] for r in rows])
        self.published += len(rows)
        return len(rows)

    async def _fence(self, conn: asyncpg.Connection) -> None:
        key = _lock_key(self._schema) & 0xFFFF_FFFF_FFFF_FFFF
        if not await conn.fetchval(_HOLDS_LOCK, key >> 32, key & 0xFFFF_FFFF):
            raise NotLeader(f"the outbox relay of {self._schema} lost its lock")

    async def _delete(self, conn: asyncpg.Connection, ids: list[int]) -> None:
        await conn.execute(f"DELETE FROM {self._schema}.outbox WHERE id = ANY($1::bigint[])", ids)

    async def _one_by_one(self, conn: asyncpg.Connection, rows: list[asyncpg.Record]) -> None:
        """After a refusal: each message alone, parking the ones refused for good."""
        for row in rows:
            await self._fence(conn)
            try:
                await self._sink.send_batch([_message(row)])
            except Exception as error:
                if not refused_for_good(error):
                    raise
                await self._park(conn, row, error)
                continue
            await self._delete(conn, [row["id"]])
            self.published += 1

    async def _park(self, conn: asyncpg.Connection, row: asyncpg.Record, error: Exception) -> None:
        s = self._schema
        async with conn.transaction():
            await conn.execute(
                f"INSERT INTO {s}.outbox_parked (id, topic, key, value, headers, created_at, error)"
                f" SELECT id, topic, key, value, headers, created_at, $2 FROM {s}.outbox"
                " WHERE id = $1 ON CONFLICT (id) DO NOTHING",
                row["id"],
                f"{type(error).__name__}: {error}"[:2000],
            )
            await self._delete(conn, [row["id"]])
        self.parked += 1
        log.error(
            "outbox message %s of %s to %s refused by the broker for good, parked: %r",
            row["id"],
            s,
            row["topic"],
            error,
        )
