"""The Assignment service running in-process on the real stack, in a schema of its own.

`harness` publishes configuration, proposals, commands and customer events onto the real topics,
calls the HTTP API with development tokens, and collects what the service publishes.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from cstatus.assignment.bootstrap import create_app
from cstatus.assignment.entrypoints import kafka as kafka_entry
from cstatus.assignment.settings import AssignmentSettings
from cstatus.contracts import topics
from cstatus.contracts.commands import AssignStatus
from cstatus.contracts.configuration import (
    AppointmentLimit,
    CategoryConfig,
    ConfigPublished,
    StatusConfig,
    StatusProperties,
    TenantConfiguration,
)
from cstatus.contracts.envelope import (
    CloudEvent,
    encode,
    message_key,
    new_event,
    tenant_key,
)
from cstatus.contracts.proposals import StatusProposed
from cstatus.contracts.registry import decode_input
from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import (
    DEV_JWT_SECRET,
    KafkaSettings,
    PostgresSettings,
    RedisSettings,
    TenantScope,
)

OUTPUT_TOPICS = (topics.STATUS_CHANGES, topics.SNAPSHOTS, topics.REJECTIONS)


def _status(code: str, **kw: Any) -> StatusConfig:
    return StatusConfig(
        id=code, code=code, name=kw.pop("name", code.title()), colour="#336699", **kw
    )


def default_categories() -> tuple[CategoryConfig, ...]:
    """SPEC 1.6's categories, plus a manual and an external one."""
    return (
        CategoryConfig(
            id="c1",
            code="relationship",
            name="Relationship",
            update_mode="automatic",
            manual_override_allowed=True,
            statuses=(
                _status("lead", is_default=True),
                _status("client", priority=10),
                _status("inactive", priority=20),
                _status(
                    "vip", priority=30, properties=StatusProperties(implies_marketing_consent=True)
                ),
            ),
        ),
        CategoryConfig(
            id="c2",
            code="lifecycle",
            name="Lifecycle",
            update_mode="automatic",
            manual_override_allowed=True,
            reason_required=True,
            statuses=(
                _status("active", is_default=True, system_state="active"),
                _status(
                    "suspended",
                    system_state="suspended",
                    properties=StatusProperties(can_redeem=False, must_prepay_online=True),
                ),
                _status("deleted", system_state="deleted"),
                _status("fraud_suspected", system_state="fraud_suspected", sticky=True),
                _status(
                    "fraud_confirmed",
                    system_state="fraud_confirmed",
                    properties=StatusProperties(can_transact=False, can_redeem=False),
                ),
                _status("internal", system_state="internal"),
            ),
        ),
        CategoryConfig(
            id="c3",
            code="tier",
            name="Tier",
            update_mode="manual",
            statuses=(
                _status("basic", is_default=True),
                _status(
                    "restricted",
                    properties=StatusProperties(
                        can_book_online=False,
                        allowed_service_codes=("sauna", "massage"),
                        max_appointments=AppointmentLimit(count=1, period_days=30),
                    ),
                ),
                _status(
                    "spa_only",
                    properties=StatusProperties(allowed_service_codes=("sauna",)),
                ),
                _status("old", archived=True),
                _status("regular", properties=StatusProperties(staff_change_warning=True)),
            ),
        ),
        CategoryConfig(
            id="c4",
            code="segment",
            name="Segment",
            update_mode="external",
            statuses=(_status("b2b"), _status("b2c")),
        ),
    )


class Harness:
    def __init__(
        self, app: Any, settings: AssignmentSettings, pool: asyncpg.Pool, producer: AIOKafkaProducer
    ) -> None:
        self.app = app
        self.settings = settings
        self.schema = settings.db_schema
        self.pool = pool
        self.producer = producer
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        )
        self.published: list[tuple[str, bytes, bytes]] = []
        """(topic, key, value) of everything the service published; decoded on demand."""

    categories = staticmethod(default_categories)

    @staticmethod
    def tenant() -> str:
        return f"as-{uuid.uuid4().hex[:10]}"

    @staticmethod
    def headers(tenant: str, *roles: str, subject: str = "agent-1") -> dict[str, str]:
        token = issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=roles, subject=subject)
        return {"Authorization": f"Bearer {token}"}

    async def send(self, topic: str, event: CloudEvent[Any], key: bytes | None = None) -> None:
        await self.producer.send_and_wait(
            topic, encode(event), key=key or message_key(event.tenant, event.subject)
        )

    async def configure(
        self, tenant: str, categories: tuple[CategoryConfig, ...] | None = None, version: int = 1
    ) -> None:
        config = TenantConfiguration(categories=categories or default_categories())
        event = new_event(
            ConfigPublished(tenant=tenant, version=version, config=config),
            id=f"cfg-{tenant}-{version}",
            source="status-config",
            tenant=tenant,
            subject=tenant,
            time=datetime.now(UTC),
        )
        await self.send(topics.CONFIG, event, key=tenant_key(tenant))
        await self.until(
            lambda: self.pool.fetchval(
                f"SELECT version >= $2 FROM {self.schema}.tenant_config WHERE tenant = $1",
                tenant,
                version,
            )
        )

    async def propose(
        self, tenant: str, customer: str, category: str, status: str | None, **kw: Any
    ) -> str:
        proposal_id = kw.pop("proposal_id", uuid.uuid4().hex)
        data = StatusProposed(
            proposal_id=proposal_id,
            category_code=category,
            status_code=status,
            explanation={"rule": "count", "value": 5, "event_ids": ["e-1"]},
            evaluated_at=datetime.now(UTC),
            **kw,
        )
        event = new_event(
            data,
            id=f"p-{proposal_id}",
            source="rules-engine",
            tenant=tenant,
            subject=customer,
            time=datetime.now(UTC),
        )
        await self.send(topics.PROPOSALS, event)
        return proposal_id

    async def command(
        self, tenant: str, customer: str, category: str, status: str, **kw: Any
    ) -> str:
        command_id = uuid.uuid4().hex
        event = new_event(
            AssignStatus(category_code=category, status_code=status, **kw),
            id=command_id,
            source="crm-sync",
            tenant=tenant,
            subject=customer,
            time=datetime.now(UTC),
            actor="crm-sync",
        )
        await self.send(topics.COMMANDS, event)
        return command_id

    async def until(self, probe: Callable[[], Awaitable[Any]], wait_s: float = 20.0) -> Any:
        """Poll `probe` until it returns something truthy; fail after `timeout` seconds."""
        async with asyncio.timeout(wait_s):
            while True:
                found = await probe()
                if found:
                    return found
                await asyncio.sleep(0.05)

    async def holding(self, tenant: str, customer: str, category: str) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await self.pool.fetchrow(
            f"SELECT * FROM {self.schema}.statuses WHERE tenant = $1 AND customer_id = $2"
            " AND category_code = $3",
            tenant,
            customer,
            category,
        )
        return row

    async def status_of(self, tenant: str, customer: str, category: str) -> str | None:
        row = await self.holding(tenant, customer, category)
        return row["status_code"] if row else None

    def out(self, topic: str, tenant: str, customer: str | None = None) -> list[Any]:
        prefix = f"{tenant}:{customer}" if customer is not None else f"{tenant}:"
        wanted = prefix.encode()
        return [
            decode_input(t, value).data
            for t, key, value in list(self.published)
            if t == topic and (key == wanted if customer is not None else key.startswith(wanted))
        ]

    async def wait_out(
        self, topic: str, tenant: str, customer: str | None, count: int, wait_s: float = 20.0
    ) -> list[Any]:
        async def enough() -> tuple[list[Any]] | None:
            found = self.out(topic, tenant, customer)
            # wrapped: an empty list is a right answer when none are wanted, but not truthy
            return (found,) if len(found) >= count else None

        (found,) = await self.until(enough, wait_s)
        return found


async def _collect(harness: Harness, bootstrap: str, ready: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(spec.name, p)
            for spec in topics.ALL_TOPICS
            if spec.name in OUTPUT_TOPICS
            for p in range(spec.partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            await consumer.position(tp)
        ready.set()
        async for record in consumer:
            if record.value is not None and record.key is not None:
                harness.published.append((record.topic, record.key, record.value))
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(consumer.stop(), 5)


async def _start_at_the_end(bootstrap: str, group: str, group_topics: tuple[str, ...]) -> None:
    """Commit the group's offsets at the end of its topics, so the service skips their history."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(spec.name, p)
            for spec in topics.ALL_TOPICS
            if spec.name in group_topics
            for p in range(spec.partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()


@contextlib.asynccontextmanager
async def running(stack: Any, pg_pool: asyncpg.Pool, redis_url: str) -> AsyncIterator[Harness]:
    """The service in a fresh schema with consumer groups of its own, and a collector of its output."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    settings = AssignmentSettings(
        db_schema=schema,
        pin_check_interval_s=0.2,
        kafka=KafkaSettings(
            bootstrap=stack.kafka_bootstrap,
            group_prefix=f"t{uuid.uuid4().hex}-",
        ),
        tenants=TenantScope(prefix="as-"),
        postgres=PostgresSettings(dsn=stack.pg_dsn),
        redis=RedisSettings(url=redis_url),
    )
    for group, group_topics in (
        (kafka_entry.CONSUMER, kafka_entry.TOPICS),
        (kafka_entry.DECISIONS_CONSUMER, kafka_entry.DECISIONS_TOPICS),
        (kafka_entry.BULK_CONSUMER, kafka_entry.BULK_TOPICS),
    ):
        await _start_at_the_end(
            stack.kafka_bootstrap, settings.kafka.group_prefix + group, group_topics
        )
    app = create_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    harness = Harness(app, settings, pg_pool, producer)
    ready = asyncio.Event()
    collector = asyncio.create_task(_collect(harness, stack.kafka_bootstrap, ready))
    try:
        await asyncio.wait(
            [asyncio.ensure_future(ready.wait()), collector],
            timeout=30,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if collector.done():
            collector.result()  # raises what stopped it
        async with app.router.lifespan_context(app):
            yield harness
    finally:
        collector.cancel()
        await asyncio.wait([collector], timeout=10)
        await harness.client.aclose()
        await producer.stop()
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="package")
async def harness(stack: Any, pg_pool: asyncpg.Pool) -> AsyncIterator[Harness]:
    async with running(stack, pg_pool, stack.redis_url) as found:
        yield found


@pytest.fixture
def start_service(stack: Any, pg_pool: asyncpg.Pool) -> Callable[[str], Any]:
    """`async with start_service(redis_url) as h:` another instance of the service."""
    return lambda redis_url: running(stack, pg_pool, redis_url)
