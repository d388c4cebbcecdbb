"""Events applied per second by an in-process Assignment service on the real stack (bounded).

    .venv/bin/python services/assignment/scripts/measure_throughput.py \
        [--events 5000] [--reservations 20000] [--updates 10000] [--batch 500]

Starts the service in a fresh schema with consumer groups of its own, configures one tenant, then
runs four phases, each started once the previous one is applied, and reports each one's rate:

1. N `customer.created` (new customers: defaults, profile, snapshot);
2. N proposals (lead → client) for the same customers;
3. R reservation events (booked, then arrived or cancelled) of up to 2,000 of those customers,
   which change no status: the bulk of the SPEC §3 pipeline load;
4. U `customer.updated` (tags only) of the same customers, which change no status either.

Every message is encoded before its phase starts and published from another process, so the rates
are the service's alone. A phase ends when the service's inbox holds all its events. Loopback only;
the schema is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta

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
from cstatus.contracts.customers import CustomerCreated, CustomerUpdated
from cstatus.contracts.envelope import (
    CloudEvent,
    EventData,
    encode,
    message_key,
    new_event,
    tenant_key,
)
from cstatus.contracts.proposals import StatusProposed
from cstatus.contracts.reservations import (
    ReservationArrived,
    ReservationBooked,
    ReservationCancelled,
)
from cstatus.platform.settings import KafkaSettings, TenantScope

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


Message = tuple[str, bytes, bytes]
"""(topic, key, value) of one message to publish."""


def _message(topic: str, data: EventData, tenant: str, subject: str, ident: str) -> Message:
    value = encode(_event(data, tenant, subject, ident))
    return topic, message_key(tenant, subject), value


def _created(tenant: str, ids: list[str]) -> list[Message]:
    return [
        _message(
            topics.CRM_CUSTOMERS,
            CustomerCreated(first_name="Ada", email=f"{customer}@example.com"),
            tenant,
            customer,
            f"c-{customer}",
        )
        for customer in ids
    ]


def _proposals(tenant: str, ids: list[str]) -> list[Message]:
    now = datetime.now(UTC)
    return [
        _message(
            topics.PROPOSALS,
            StatusProposed(
                proposal_id=f"p-{customer}",
                category_code="relationship",
                status_code="client",
                explanation={"rule": "first_activity", "event_ids": ["e-1"]},
                evaluated_at=now,
            ),
            tenant,
            customer,
            f"p-{customer}",
        )
        for customer in ids
    ]


def _reservations(tenant: str, ids: list[str], count: int) -> list[Message]:
    """Half bookings; each other event arrives at (or cancels) the booking before it."""
    today = datetime.now(UTC).date()
    messages: list[Message] = []
    for n in range(count):
        customer = ids[(n // 2) % len(ids)]
        reservation = f"r-{n // 2:06d}"
        data: EventData
        if n % 2 == 0:
            arrival = today + timedelta(days=30 + n % 90)
            data = ReservationBooked(reservation_id=reservation, arrival_date=arrival)
        elif n % 4 == 1:
            data = ReservationArrived(reservation_id=reservation)
        else:
            data = ReservationCancelled(reservation_id=reservation)
        messages.append(
            _message(topics.BOOKINGS_RESERVATIONS, data, tenant, customer, f"r-{n:06d}")
        )
    return messages


def _updates(tenant: str, ids: list[str], count: int) -> list[Message]:
    """Profile updates that name only the tags (the other fields stay as they are)."""
    return [
        _message(
            topics.CRM_CUSTOMERS,
            CustomerUpdated(tags=(f"tag-{n % 5}",)),
            tenant,
            ids[n % len(ids)],
            f"u-{n:06d}",
        )
        for n in range(count)
    ]


async def _skip_history(bootstrap: str, groups: list[str]) -> None:
    for group in groups:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
        )
        await consumer.start()
        try:
            partitions = [
                TopicPartition(spec.name, p)
                for spec in topics.ALL_TOPICS
                if spec.name
                in kafka_entry.TOPICS + kafka_entry.DECISIONS_TOPICS + kafka_entry.BULK_TOPICS
                for p in range(spec.partitions)
            ]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            await consumer.commit({tp: await consumer.position(tp) for tp in partitions})
        finally:
            await consumer.stop()


async def _send(bootstrap: str, messages: list[Message]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    await producer.start()
    try:
        for topic, key, value in messages:
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()


def _publish(bootstrap: str, messages: list[Message]) -> None:
    """Publish from a process of its own, so the load generator takes no time from the service."""
    asyncio.run(_send(bootstrap, messages))


async def _until(pool: asyncpg.Pool, query: str, *args: object, want: int) -> None:
    async with asyncio.timeout(TIMEOUT_S):
        while (await pool.fetchval(query, *args) or 0) < want:
            await asyncio.sleep(0.05)


async def measure(events: int, reservations: int, updates: int, batch: int) -> None:
    schema = f"m_{uuid.uuid4().hex[:12]}"
    tenant = f"as-m{uuid.uuid4().hex[:8]}"
    kafka = KafkaSettings(group_prefix=f"m{uuid.uuid4().hex}-", batch_max_records=batch)
    settings = AssignmentSettings(db_schema=schema, kafka=kafka, tenants=TenantScope(prefix="as-"))
    groups = [
        kafka.group_prefix + kafka_entry.CONSUMER,
        kafka.group_prefix + kafka_entry.DECISIONS_CONSUMER,
        kafka.group_prefix + kafka_entry.BULK_CONSUMER,
    ]
    await _skip_history(kafka.bootstrap, groups)
    app = create_app(settings)
    publisher = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    loop = asyncio.get_running_loop()
    pool = await asyncpg.create_pool(settings.postgres.dsn, min_size=1, max_size=2)
    assert pool is not None
    applied = f"SELECT count(*) FROM {schema}.inbox WHERE consumer = ANY($1) AND tenant = $2"
    consumers = [kafka_entry.CONSUMER, kafka_entry.DECISIONS_CONSUMER]
    ids = [f"m-{n:06d}" for n in range(events)]
    phases = [
        ("customer.created", _created(tenant, ids)),
        ("proposals", _proposals(tenant, ids)),
        ("reservations", _reservations(tenant, ids[:2000], reservations)),
        ("customer.updated", _updates(tenant, ids[:2000], updates)),
    ]
    try:
        async with app.router.lifespan_context(app):
            config = _event(_config(tenant), tenant, tenant, f"cfg-{tenant}")
            first = (topics.CONFIG, tenant_key(tenant), encode(config))
            await loop.run_in_executor(publisher, _publish, kafka.bootstrap, [first])
            seen = 1
            await _until(pool, applied, consumers, tenant, want=seen)
            for name, messages in phases:
                started = time.perf_counter()
                sent = loop.run_in_executor(publisher, _publish, kafka.bootstrap, messages)
                seen += len(messages)
                await _until(pool, applied, consumers, tenant, want=seen)
                await sent
                took = time.perf_counter() - started
                print(
                    f"{name + ':':18} {len(messages)} in {took:.1f} s = {len(messages) / took:.0f}/s"
                )
    finally:
        publisher.shutdown()
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="customers (max 20000)")
    parser.add_argument(
        "--reservations", type=int, default=20_000, help="reservation events (max 100000)"
    )
    parser.add_argument(
        "--updates", type=int, default=10_000, help="customer.updated events (max 100000)"
    )
    parser.add_argument("--batch", type=int, default=500, help="records per consumed batch")
    args = parser.parse_args()
    asyncio.run(
        measure(
            min(args.events, 20_000),
            min(args.reservations, 100_000),
            min(args.updates, 100_000),
            args.batch,
        )
    )


if __name__ == "__main__":
    main()
