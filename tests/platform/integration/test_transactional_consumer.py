"""One transaction per batch: inbox, state and outbox commit together; duplicates are dropped."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from cstatus.contracts import topics
from cstatus.contracts.envelope import CloudEvent, encode, message_key, new_event
from cstatus.contracts.reservations import ReservationBooked
from cstatus.platform.db.migrations import apply_migrations
from cstatus.platform.kafka.broker import create_broker, subscribe_batch
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.producer import KafkaProducer
from cstatus.platform.kafka.transactional import transactional_consumer
from cstatus.platform.settings import KafkaSettings
from cstatus.platform.tenant_scope import TenantScope

pytestmark = pytest.mark.integration


def _booking(event_id: str, customer: str) -> bytes:
    event = new_event(
        ReservationBooked(reservation_id=f"r-{event_id}", arrival_date="2026-12-01"),
        id=event_id,
        source="test",
        tenant="acme",
        subject=customer,
        time=datetime(2026, 11, 20, tzinfo=UTC),
    )
    return encode(event)


async def _start_group_at_the_end(bootstrap: str, group: str, topic: str) -> None:
    """Commit the group at the topic's current end: the test reads only what it sends, however
    long the shared topic's history is."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        metadata = await consumer._client.fetch_all_metadata()
        parts = [TopicPartition(topic, p) for p in metadata.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        await consumer.commit(await consumer.end_offsets(parts))
    finally:
        await consumer.stop()


async def test_each_event_is_applied_once_and_failures_roll_back_everything(
    stack: Any, pg_pool: asyncpg.Pool, schema: str
) -> None:
    # The topic decides the contract, so this test uses the real reservations topic with event
    # ids unique to the run, and a consumer group of its own.
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, [])
        await conn.execute(f"CREATE TABLE {schema}.seen (event_id text, customer text)")
    settings = KafkaSettings(bootstrap=stack.kafka_bootstrap)
    producer = KafkaProducer(settings, client_id="t")
    first_try = {"fail": True}

    async def apply(conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
        await conn.executemany(
            f"INSERT INTO {schema}.seen VALUES ($1, $2)", [(e.id, e.subject) for e in events]
        )
        if first_try["fail"]:
            first_try["fail"] = False
            raise ConnectionError("database went away mid-batch")

    handler = transactional_consumer(
        pg_pool,
        schema=schema,
        consumer="tx-test",
        apply=apply,
        dead_letters=DeadLetters(producer, group=schema),
        settings=settings,
    )
    run = schema  # unique per test run
    await _start_group_at_the_end(stack.kafka_bootstrap, f"tx-{run}", topics.BOOKINGS_RESERVATIONS)
    sent = [_booking(f"{run}-{n}", f"c{n % 3}") for n in range(6)]
    raw = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await raw.start()
    for value in [*sent, sent[0], sent[3]]:  # two duplicates
        await raw.send_and_wait(topics.BOOKINGS_RESERVATIONS, value, key=message_key("acme", "c"))
    await raw.stop()

    broker = create_broker(settings, client_id="t")
    subscribe_batch(
        broker,
        topics.BOOKINGS_RESERVATIONS,
        group_id=f"tx-{run}",
        handler=handler,
        settings=settings,
    )
    await producer.start()
    async with broker:
        await broker.start()
        async with asyncio.timeout(30):
            while (
                await pg_pool.fetchval(
                    f"SELECT count(*) FROM {schema}.seen WHERE event_id LIKE $1", f"{run}-%"
                )
                < 6
            ):
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    await producer.stop()

    rows = await pg_pool.fetch(
        f"SELECT event_id FROM {schema}.seen WHERE event_id LIKE $1 ORDER BY event_id", f"{run}-%"
    )
    assert [r["event_id"] for r in rows] == [f"{run}-{n}" for n in range(6)]
    claimed = await pg_pool.fetchval(
        f"SELECT count(*) FROM {schema}.inbox WHERE event_id LIKE $1", f"{run}-%"
    )
    assert claimed == 6


async def test_a_tenant_prefix_scopes_what_is_applied(
    stack: Any, pg_pool: asyncpg.Pool, schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        await apply_migrations(conn, schema, [])
    run = schema.replace("_", "-")
    settings = KafkaSettings(bootstrap=stack.kafka_bootstrap)
    producer = KafkaProducer(settings, client_id="t")
    applied: list[str] = []

    async def apply(conn: asyncpg.Connection, events: Sequence[CloudEvent[Any]]) -> None:
        applied.extend(e.tenant for e in events)

    handler = transactional_consumer(
        pg_pool,
        schema=schema,
        consumer="scope-test",
        apply=apply,
        dead_letters=DeadLetters(producer, group=schema),
        settings=settings,
    )
    await _start_group_at_the_end(
        stack.kafka_bootstrap, f"scope-{run}", topics.BOOKINGS_RESERVATIONS
    )
    raw = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await raw.start()
    for tenant in (f"{run}-drop", f"{run}-keep"):
        event = new_event(
            ReservationBooked(reservation_id="r-1", arrival_date="2026-12-01"),
            id=f"{tenant}-1",
            source="test",
            tenant=tenant,
            subject="c1",
            time=datetime(2026, 11, 20, tzinfo=UTC),
        )
        await raw.send_and_wait(
            topics.BOOKINGS_RESERVATIONS, encode(event), key=message_key(tenant, "c")
        )
    await raw.stop()
    broker = create_broker(settings, client_id="t")
    subscribe_batch(
        broker,
        topics.BOOKINGS_RESERVATIONS,
        group_id=f"scope-{run}",
        handler=TenantScope(prefix=f"{run}-keep").narrow(handler),
        settings=settings,
    )
    await producer.start()
    async with broker:
        await broker.start()
        async with asyncio.timeout(30):
            while not applied:
                await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    await producer.stop()
    assert applied == [f"{run}-keep"]
