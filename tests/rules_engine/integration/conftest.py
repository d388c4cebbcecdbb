"""The rules engine running in-process against the real stack, with its own consumer group and
schema, and a reader of what it publishes (proposals and outliers)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from cstatus.contracts import topics
from cstatus.contracts.envelope import CloudEvent, encode, message_key, tenant_key
from cstatus.contracts.registry import decode_input
from cstatus.platform.settings import KafkaSettings, PostgresSettings, RedisSettings, TenantScope
from cstatus.rules_engine.bootstrap import create_app
from cstatus.rules_engine.entrypoints.kafka import CONSUMER, TOPICS
from cstatus.rules_engine.settings import RulesEngineSettings

# The tests share `rules_support.py` beside this file (tests are imported with importlib, so its
# folder is not on the path by itself).
sys.path.insert(0, str(Path(__file__).resolve().parent))


async def _partitions(consumer: AIOKafkaConsumer, names: tuple[str, ...]) -> list[TopicPartition]:
    metadata = await consumer._client.fetch_all_metadata()
    return [
        TopicPartition(name, p) for name in names for p in metadata.partitions_for_topic(name) or ()
    ]


async def _start_group_at_the_end(bootstrap: str, group: str) -> None:
    """Commit the group's offsets at the current end, so the engine reads only what the tests
    publish (never other suites' history)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group)
    await consumer.start()
    try:
        parts = await _partitions(consumer, TOPICS)
        ends = await consumer.end_offsets(parts)
        consumer.assign(parts)
        await consumer.commit({tp: offset for tp, offset in ends.items()})
    finally:
        await consumer.stop()


@dataclass
class Outputs:
    """Everything published on the proposals, outliers and changes topics since the module
    started (the engine publishes warnings ahead of a move down on the changes topic)."""

    seen: list[tuple[str, CloudEvent[Any]]] = field(default_factory=list)

    def of(self, topic: str, tenant: str) -> list[CloudEvent[Any]]:
        return [e for t, e in self.seen if t == topic and e.tenant == tenant]

    async def wait(
        self, topic: str, tenant: str, count: int, timeout_s: float = 30
    ) -> list[CloudEvent[Any]]:
        async with asyncio.timeout(timeout_s):
            while len(found := self.of(topic, tenant)) < count:
                await asyncio.sleep(0.05)
        return found

    def targets(self, tenant: str, category: str) -> list[str | None]:
        """The targets proposed in a category, a repeated proposal counted once (another suite's
        in-process assignment service may answer our tenant's proposals too, and each change it
        publishes lets the engine propose again)."""
        found: list[str | None] = []
        for event in self.of(topics.PROPOSALS, tenant):
            if event.data.category_code == category and (
                not found or found[-1] != event.data.status_code
            ):
                found.append(event.data.status_code)
        return found

    async def proposal(
        self, tenant: str, category: str, target: str | None, *, after: int = 0
    ) -> tuple[int, CloudEvent[Any]]:
        """The first proposal of `target` in `category` at an index >= `after`, and its index."""
        async with asyncio.timeout(30):
            while True:
                for index, event in enumerate(self.of(topics.PROPOSALS, tenant)):
                    data = event.data
                    if index >= after and (data.category_code, data.status_code) == (
                        category,
                        target,
                    ):
                        return index, event
                await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
async def outputs(stack: Any) -> AsyncIterator[Outputs]:
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap)
    await consumer.start()
    parts = await _partitions(consumer, (topics.PROPOSALS, topics.OUTLIERS, topics.STATUS_CHANGES))
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)
    found = Outputs()

    async def read() -> None:
        while True:
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                for record in records:
                    assert record.value is not None
                    found.seen.append((tp.topic, decode_input(tp.topic, record.value)))

    task = asyncio.create_task(read())
    yield found
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await consumer.stop()


@dataclass
class TravellingClock:
    """The engine's clock: the real time, moved on by `offset` when a test travels in time."""

    offset: timedelta = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


@pytest.fixture(scope="module")
def clock() -> TravellingClock:
    return TravellingClock()


ISOLATED = "re-x-"
"""Tenants applied only by the engines a test starts itself (`start_engine`), never by `engine`."""


@contextlib.asynccontextmanager
async def running_engine(
    stack: Any,
    pg_pool: asyncpg.Pool,
    clock: TravellingClock,
    *,
    redis_url: str,
    tenant_prefix: str,
    tenant_exclude: str = "",
) -> AsyncIterator[httpx.AsyncClient]:
    """An engine with its own consumer group and schema, applying only the given tenants."""
    prefix = f"t{uuid.uuid4().hex[:8]}-"
    schema = f"t_rules_{uuid.uuid4().hex[:8]}"
    await _start_group_at_the_end(stack.kafka_bootstrap, prefix + CONSUMER)
    settings = RulesEngineSettings(
        kafka=KafkaSettings(
            bootstrap=stack.kafka_bootstrap,
            group_prefix=prefix,
        ),
        tenants=TenantScope(prefix=tenant_prefix, exclude=tenant_exclude),
        postgres=PostgresSettings(dsn=stack.pg_dsn),
        redis=RedisSettings(url=redis_url),
        db_schema=schema,
        sweep_at=None,
        reevaluation_page=100,
        reevaluation_poll_s=0.1,
    )
    app = create_app(settings, clock=clock)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield client
    finally:
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="module")
async def engine(
    stack: Any, pg_pool: asyncpg.Pool, outputs: Outputs, clock: TravellingClock
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_engine(
        stack,
        pg_pool,
        clock,
        redis_url=stack.redis_url,
        tenant_prefix="re-",
        tenant_exclude=ISOLATED,
    ) as client:
        yield client


@pytest.fixture
def start_engine(
    stack: Any, pg_pool: asyncpg.Pool, outputs: Outputs, clock: TravellingClock
) -> Callable[[str], Any]:
    """`async with start_engine(redis_url) as client:` an engine applying only `re-x-` tenants."""
    return lambda redis_url: running_engine(
        stack, pg_pool, clock, redis_url=redis_url, tenant_prefix=ISOLATED
    )


Publish = Callable[[str, CloudEvent[Any]], Any]


@pytest.fixture(scope="module")
async def publish(stack: Any) -> AsyncIterator[Publish]:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()

    async def send(topic: str, event: CloudEvent[Any]) -> None:
        key = (
            tenant_key(event.tenant)
            if topic == topics.CONFIG
            else message_key(event.tenant, event.subject)
        )
        await producer.send_and_wait(topic, encode(event), key=key)

    yield send
    await producer.stop()
