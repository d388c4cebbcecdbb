"""Events applied per second by an in-process Assignment service on the real stack (bounded).

    .venv/bin/python services/assignment/scripts/measure_throughput.py [--events 5000]

Starts the service in a fresh schema with consumer groups of its own, configures one tenant, then
publishes N `customer.created` events (new customers: defaults, profile, snapshot) and, once they
are applied, N proposals (lead → client) for the same customers, and reports each phase's rate.
Loopback only; the schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from cstatus.assignment.bootstrap import create_app
from cstatus.assignment.entrypoints import kafka as kafka_entry
from cstatus.assignment.settings import AssignmentSettings
from cstatus.contracts import topics
from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    StatusConfig,
    TenantConfiguration,
)
from cstatus.contracts.customers import CustomerCreated
from cstatus.contracts.envelope import (
    CloudEvent,
    EventData,
    encode,
    message_key,
    new_event,
    tenant_key,
)
from cstatus.contracts.proposals import StatusProposed
from cstatus.platform.settings import KafkaSettings

TIMEOUT_S = 300.0


def _config(tenant: str) -> ConfigPublished:
    def status(code: str, **kw: object) -> StatusConfig:
        return StatusConfig(id=code, code=code, name=code.title(), colour="#336699", **kw)

    categories = (
        CategoryConfig(
            id="c1",
            code="relationship",
            name="Relationship",
            update_mode="automatic",
            manual_override_allowed=True,
            statuses=(status("lead", is_default=True), status("client", priority=10)),
        ),
        CategoryConfig(
            id="c2",
            code="lifecycle",
            name="Lifecycle",
            update_mode="automatic",
            statuses=(status("active", is_default=True, system_state="active"),),
        ),
    )
    return ConfigPublished(
        tenant=tenant, version=1, config=TenantConfiguration(categories=categories)
    )


def _event(data: EventData, tenant: str, subject: str, ident: str) -> CloudEvent[EventData]:
    return new_event(
        data, id=ident, source="measure", tenant=tenant, subject=subject, time=datetime.now(UTC)
    )


async def _skip_history(bootstrap: str, group: str) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(spec.name, p)
            for spec in topics.ALL_TOPICS
            if spec.name in kafka_entry.TOPICS + kafka_entry.BULK_TOPICS
            for p in range(spec.partitions)
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
    finally:
        await consumer.stop()


async def _until(pool: asyncpg.Pool, query: str, *args: object, want: int) -> None:
    async with asyncio.timeout(TIMEOUT_S):
        while (await pool.fetchval(query, *args) or 0) < want:
            await asyncio.sleep(0.05)


async def measure(events: int) -> None:
    schema = f"m_{uuid.uuid4().hex[:12]}"
    tenant = f"as-m{uuid.uuid4().hex[:8]}"
    kafka = KafkaSettings(group_prefix=f"m{uuid.uuid4().hex}-", tenant_prefix="as-")
    settings = AssignmentSettings(db_schema=schema, kafka=kafka)
    await _skip_history(kafka.bootstrap, kafka.group_prefix + kafka_entry.CONSUMER)
    app = create_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap, linger_ms=5)
    await producer.start()
    pool = await asyncpg.create_pool(settings.postgres.dsn, min_size=1, max_size=2)
    assert pool is not None
    try:
        async with app.router.lifespan_context(app):
            config = _event(_config(tenant), tenant, tenant, f"cfg-{tenant}")
            await producer.send_and_wait(topics.CONFIG, encode(config), key=tenant_key(tenant))
            await _until(pool, f"SELECT count(*) FROM {schema}.tenant_config", want=1)
            ids = [f"m-{n:06d}" for n in range(events)]

            started = time.perf_counter()
            for customer in ids:
                created = CustomerCreated(first_name="Ada", email=f"{customer}@example.com")
                event = _event(created, tenant, customer, f"c-{customer}")
                await producer.send(
                    topics.CRM_CUSTOMERS, encode(event), key=message_key(tenant, customer)
                )
            await producer.flush()
            await _until(
                pool,
                f"SELECT count(*) FROM {schema}.customers WHERE tenant = $1 AND version > 0",
                tenant,
                want=events,
            )
            took = time.perf_counter() - started
            print(f"customer.created: {events} in {took:.1f} s = {events / took:.0f}/s")

            started = time.perf_counter()
            for customer in ids:
                proposal = StatusProposed(
                    proposal_id=f"p-{customer}",
                    category_code="relationship",
                    status_code="client",
                    explanation={"rule": "first_activity", "event_ids": ["e-1"]},
                    evaluated_at=datetime.now(UTC),
                )
                event = _event(proposal, tenant, customer, f"p-{customer}")
                await producer.send(
                    topics.PROPOSALS, encode(event), key=message_key(tenant, customer)
                )
            await producer.flush()
            await _until(
                pool,
                f"SELECT count(*) FROM {schema}.status_changes WHERE tenant = $1"
                " AND source = 'automatic'",
                tenant,
                want=events,
            )
            took = time.perf_counter() - started
            print(f"proposals:        {events} in {took:.1f} s = {events / took:.0f}/s")
    finally:
        await producer.stop()
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="events per phase (max 20000)")
    args = parser.parse_args()
    asyncio.run(measure(min(args.events, 20_000)))


if __name__ == "__main__":
    main()
