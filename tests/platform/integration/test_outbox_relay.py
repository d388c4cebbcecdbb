"""The outbox relay against the real PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import MessageSizeTooLargeError

from cstatus.platform.db.inbox import claim_many
from cstatus.platform.db.migrations import apply_migrations
from cstatus.platform.db.outbox import OutboxMessage, enqueue
from cstatus.platform.db.relay import NotLeader, OutboxRelay
from cstatus.platform.kafka.producer import KafkaProducer
from cstatus.platform.settings import KafkaSettings

pytestmark = pytest.mark.integration


class Killed(BaseException):
    """Stands for the relay process dying: nothing after it runs."""


class DiesAfterPublishing:
    """Publishes the first batch for real, then 'dies' before the relay can mark it."""

    def __init__(self, inner: KafkaProducer) -> None:
        self._inner = inner

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        await self._inner.send_batch(messages)
        raise Killed


async def _read_all(bootstrap: str, topic: str, expected: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(records) < expected:
                batch = await consumer.getmany(timeout_ms=500)
                for part in batch.values():
                    records.extend(part)
        # nothing more arrives
        extra = await consumer.getmany(timeout_ms=1_000)
        records.extend(r for part in extra.values() for r in part)
    finally:
        await consumer.stop()
    return records


def _message(topic: str, key: str, n: int) -> OutboxMessage:
    return OutboxMessage(
        topic, key.encode(), f"{key}:{n}".encode(), (("event-id", f"{key}-{n}".encode()),)
    )


async def _migrated(pg_pool: asyncpg.Pool, schema: str) -> None:
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, [])


async def _drain(relay: OutboxRelay, pg_pool: asyncpg.Pool) -> None:
    async with pg_pool.acquire() as conn:
        assert await relay.try_lead(conn)
        try:
            while await relay.relay_once(conn):
                pass
        finally:
            await conn.execute("SELECT pg_advisory_unlock_all()")


async def test_relay_publishes_exactly_the_committed_rows_in_order_per_key(
    stack: Any, pg_pool: asyncpg.Pool, schema: str, new_topic: Any
) -> None:
    topic = await new_topic(partitions=3, with_dlq=False)
    await _migrated(pg_pool, schema)
    async with pg_pool.acquire() as conn:
        for n in range(20):
            async with conn.transaction():
                await enqueue(conn, schema, [_message(topic, k, n) for k in ("a", "b", "c")])
        with pytest.raises(RuntimeError):
            async with conn.transaction():
                await enqueue(conn, schema, [_message(topic, "a", 999)])
                raise RuntimeError("rolled back")

    producer = KafkaProducer(KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t")
    await producer.start()
    try:
        await _drain(OutboxRelay(pg_pool, schema, producer, batch_size=7), pg_pool)
    finally:
        await producer.stop()

    records = await _read_all(stack.kafka_bootstrap, topic, expected=60)
    per_key: dict[bytes, list[str]] = defaultdict(list)
    for record in records:
        per_key[record.key].append(record.value.decode())
    assert len(records) == 60
    for key in ("a", "b", "c"):
        assert per_key[key.encode()] == [f"{key}:{n}" for n in range(20)]
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {schema}.outbox") == 0


async def test_a_relay_killed_between_publish_and_mark_is_made_good_by_the_next(
    stack: Any, pg_pool: asyncpg.Pool, schema: str, new_topic: Any
) -> None:
    topic = await new_topic(partitions=1, with_dlq=False)
    await _migrated(pg_pool, schema)
    async with pg_pool.acquire() as conn, conn.transaction():
        await enqueue(conn, schema, [_message(topic, "k", n) for n in range(10)])

    producer = KafkaProducer(KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t")
    await producer.start()
    try:
        dying = OutboxRelay(pg_pool, schema, DiesAfterPublishing(producer), batch_size=4)
        with pytest.raises(Killed):
            await dying.run()
        assert await pg_pool.fetchval(f"SELECT count(*) FROM {schema}.outbox") == 10
        restarted = OutboxRelay(pg_pool, schema, producer, batch_size=4)
        task = asyncio.create_task(restarted.run())
        async with asyncio.timeout(20):
            while await pg_pool.fetchval(f"SELECT count(*) FROM {schema}.outbox"):
                await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await producer.stop()

    records = await _read_all(stack.kafka_bootstrap, topic, expected=14)
    values = [r.value.decode() for r in records]
    assert values == [f"k:{n}" for n in range(4)] + [f"k:{n}" for n in range(10)]

    # The consuming side's inbox drops the four re-sent messages.
    processed: list[str] = []
    async with pg_pool.acquire() as conn:
        for record in records:
            async with conn.transaction():
                event_id = dict(record.headers)["event-id"].decode()
                if await claim_many(
                    conn, schema, "consumer-test", [("acme", f"{schema}:{event_id}")]
                ):
                    processed.append(record.value.decode())
    assert processed == [f"k:{n}" for n in range(10)]


async def test_only_one_relay_leads_per_schema(
    stack: Any, pg_pool: asyncpg.Pool, schema: str
) -> None:
    await _migrated(pg_pool, schema)
    producer = KafkaProducer(KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t")
    first = OutboxRelay(pg_pool, schema, producer, standby_interval_s=0.1)
    second = OutboxRelay(pg_pool, schema, producer, standby_interval_s=0.1)
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        async with asyncio.timeout(10):
            while not (first.is_leader or second.is_leader):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert first.is_leader != second.is_leader
        leader, standby = (first, second) if first.is_leader else (second, first)
        tasks[0 if leader is first else 1].cancel()
        async with asyncio.timeout(10):
            while not standby.is_leader:
                await asyncio.sleep(0.05)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


class RefusesLarge:
    """A sink standing for the broker: refuses for good any message over `limit` bytes."""

    def __init__(self, inner: KafkaProducer, limit: int) -> None:
        self._inner, self._limit = inner, limit

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        if any(len(m.value) > self._limit for m in messages):
            raise MessageSizeTooLargeError("over the broker's message.max.bytes")
        await self._inner.send_batch(messages)


async def test_a_message_the_broker_refuses_is_parked_and_the_others_flow(
    stack: Any, pg_pool: asyncpg.Pool, schema: str, new_topic: Any
) -> None:
    """The review found one refused row blocking the schema's whole outbox for good, re-sent
    every 2 s; now it is parked with its error and the rows behind it are published."""
    topic = await new_topic(partitions=1, with_dlq=False)
    await _migrated(pg_pool, schema)
    async with pg_pool.acquire() as conn, conn.transaction():
        messages = [_message(topic, "k", n) for n in range(6)]
        messages[2] = OutboxMessage(topic, b"k", b"x" * 5_000)
        await enqueue(conn, schema, messages)
    producer = KafkaProducer(KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t")
    await producer.start()
    try:
        relay = OutboxRelay(pg_pool, schema, RefusesLarge(producer, 1_000), batch_size=4)
        await _drain(relay, pg_pool)
    finally:
        await producer.stop()
    records = await _read_all(stack.kafka_bootstrap, topic, expected=5)
    assert [r.value.decode() for r in records] == [f"k:{n}" for n in (0, 1, 3, 4, 5)]
    parked = await pg_pool.fetch(f"SELECT value, error FROM {schema}.outbox_parked")
    assert [(len(p["value"]), p["error"].split(":")[0]) for p in parked] == [
        (5_000, "MessageSizeTooLargeError")
    ]
    assert (relay.parked, relay.published) == (1, 5)
    assert await pg_pool.fetchval(f"SELECT count(*) FROM {schema}.outbox") == 0


async def test_a_relay_that_lost_its_lock_publishes_nothing(
    stack: Any, pg_pool: asyncpg.Pool, schema: str, new_topic: Any
) -> None:
    """Fencing: the review found leadership could stay with a relay whose lock had passed on."""
    topic = await new_topic(partitions=1, with_dlq=False)
    await _migrated(pg_pool, schema)
    async with pg_pool.acquire() as conn, conn.transaction():
        await enqueue(conn, schema, [_message(topic, "k", n) for n in range(3)])
    producer = KafkaProducer(KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t")
    await producer.start()
    try:
        old, new = (OutboxRelay(pg_pool, schema, producer) for _ in range(2))
        async with pg_pool.acquire() as a, pg_pool.acquire() as b:
            assert await old.try_lead(a)
            await a.execute("SELECT pg_advisory_unlock_all()")  # its session lost the lock
            assert await new.try_lead(b)
            with pytest.raises(NotLeader):
                await old.relay_once(a)
            assert await pg_pool.fetchval(f"SELECT count(*) FROM {schema}.outbox") == 3
            assert await new.relay_once(b) == 3
            await b.execute("SELECT pg_advisory_unlock_all()")
    finally:
        await producer.stop()
    assert len(await _read_all(stack.kafka_bootstrap, topic, expected=3)) == 3
