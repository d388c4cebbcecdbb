"""Rules-engine ingest throughput, in-process and bounded: events/s from the first produced event
until the engine's consumer group has committed up to the end offsets.

    .venv/bin/python bench/profile/rules_ingest.py [--events 50000] [--customers 5000]

The engine runs in this process (its own consumer group, schema and tenant, like the integration
tests) so it can be profiled: `--py-spy out.txt` samples the measured phase only (collapsed
stacks), `--stages` prints the wall time of each step of a batch. The events are encoded before
the clock starts and sent by a child process, so producing does not compete with the engine for
this process's interpreter; the engine's CPU time per event is printed beside the rate (less
sensitive than the rate to the other work on a shared machine). The tenant has the seeded default
categories (relationship: first activity, lifecycle: velocity) plus a loyalty category counting
reservations; every customer is warmed up first (a booking and a holding in each category), so
the measured events — future bookings, past sales, payments, profile updates — change nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cstatus.platform.settings import KafkaSettings, PostgresSettings, RedisSettings, TenantScope
from cstatus.rules_engine.bootstrap import create_app
from cstatus.rules_engine.entrypoints.kafka import CONSUMER, TOPICS
from cstatus.rules_engine.settings import RulesEngineSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the modules beside this script
import stages
from rules_events import Events, Message


async def _send(bootstrap: str, messages: Sequence[Message]) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, linger_ms=5, max_batch_size=256 * 1024, acks="all"
    )
    await producer.start()
    try:
        for start in range(0, len(messages), 5_000):
            chunk = messages[start : start + 5_000]
            await asyncio.gather(*[await producer.send(t, v, key=k) for t, k, v in chunk])
    finally:
        await producer.stop()


def _send_in_child(bootstrap: str, messages: Sequence[Message]) -> None:
    asyncio.run(_send(bootstrap, messages))


class Offsets:
    def __init__(self, bootstrap: str, group: str) -> None:
        self._bootstrap = bootstrap
        self._group = group
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self.parts: list[TopicPartition] = []

    async def start(self) -> None:
        await self._consumer.start()
        await self._admin.start()
        metadata = await self._consumer._client.fetch_all_metadata()
        self.parts = [
            TopicPartition(name, p)
            for name in TOPICS
            for p in sorted(metadata.partitions_for_topic(name) or ())
        ]

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def ends(self) -> dict[TopicPartition, int]:
        found: dict[TopicPartition, int] = await self._consumer.end_offsets(self.parts)
        return found

    async def start_group_at_the_end(self) -> None:
        """Commit the group at the current ends: the engine reads only what this run sends."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, group_id=self._group)
        await consumer.start()
        try:
            consumer.assign(self.parts)
            await consumer.commit(await self.ends())
        finally:
            await consumer.stop()

    async def wait_committed(self, target: dict[TopicPartition, int], timeout_s: float) -> float:
        """Wait until the group committed up to `target`; the monotonic time it was seen."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            done = await self._admin.list_consumer_group_offsets(self._group, partitions=self.parts)
            if all(done.get(tp) and done[tp].offset >= end for tp, end in target.items()):
                return time.monotonic()
            await asyncio.sleep(0.1)
        raise TimeoutError(f"group {self._group} did not catch up in {timeout_s}s")


@contextlib.asynccontextmanager
async def engine(settings: RulesEngineSettings) -> AsyncIterator[None]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield


async def _warm_up(bootstrap: str, offsets: Offsets, events: Events, customers: int) -> None:
    """The configuration, then every customer's first booking, then its holdings (activity
    first, so no customer is ever proposed a lead), each consumed before the next."""
    began = time.monotonic()
    bookings: list[Message] = []
    changes: list[Message] = []
    for index in range(customers):
        booking, *held = events.warm_up(f"c{index:06d}")
        bookings.append(booking)
        changes += held
    for step in ([events.config()], bookings, changes):
        await _send(bootstrap, step)
        await offsets.wait_committed(await offsets.ends(), timeout_s=600)
    elapsed = time.monotonic() - began
    print(f"warm-up: {len(bookings) + len(changes) + 1} events in {elapsed:.1f}s", flush=True)


async def _measure(
    bootstrap: str, offsets: Offsets, events: Events, args: argparse.Namespace
) -> tuple[float, float, float, float]:
    """Send the mixed events from a child process; (began, produced, done) monotonic times and
    the CPU seconds this process (the engine) spent meanwhile."""
    measured = events.mixed(args.events, args.customers)
    stages.reset()
    child = multiprocessing.get_context("spawn").Process(
        target=_send_in_child, args=(bootstrap, measured)
    )
    spy = _py_spy(args.py_spy)
    cpu = time.process_time()
    began = time.monotonic()
    child.start()
    while child.is_alive():
        await asyncio.sleep(0.02)
    produced = time.monotonic()
    done = await offsets.wait_committed(await offsets.ends(), timeout_s=600)
    cpu = time.process_time() - cpu
    if spy is not None:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    return began, produced, done, cpu


async def run(args: argparse.Namespace) -> None:
    kafka = KafkaSettings()
    postgres = PostgresSettings()
    suffix = uuid.uuid4().hex[:8]
    tenant = f"re-bench-{suffix}"
    schema = f"t_rules_bench_{suffix}"
    group_prefix = f"bench{suffix}-"
    os.environ.setdefault("CSTATUS_ENV", "development")  # the development JWT secret is fine here
    settings = RulesEngineSettings(
        kafka=KafkaSettings(
            bootstrap=kafka.bootstrap,
            group_prefix=group_prefix,
            batch_max_records=args.batch or kafka.batch_max_records,
        ),
        tenants=TenantScope(prefix=tenant),
        postgres=postgres,
        redis=RedisSettings(),
        db_schema=schema,
        sweep_at=None,
    )
    events = Events(tenant, args.seed)
    offsets = Offsets(kafka.bootstrap, group_prefix + CONSUMER)
    await offsets.start()
    try:
        await offsets.start_group_at_the_end()
        async with engine(settings):
            await _warm_up(kafka.bootstrap, offsets, events, args.customers)
            began, produced, done, cpu = await _measure(kafka.bootstrap, offsets, events, args)
        seconds = done - began
        print(
            f"rules-engine ingest: {args.events} events in {seconds:.2f}s ="
            f" {args.events / seconds:,.0f} events/s (produced in {produced - began:.2f}s);"
            f" engine process CPU {cpu:.1f}s = {1e6 * cpu / args.events:.0f} µs/event",
            flush=True,
        )
        if args.stages:
            stages.report()
        await _check(postgres.dsn, schema, tenant, args)
    finally:
        await offsets.stop()
        conn = await asyncpg.connect(postgres.dsn)
        try:
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        finally:
            await conn.close()


def _py_spy(output: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling this process from now until it gets SIGINT (collapsed stacks)."""
    if not output:
        return None
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "-r", "100", "-f", "raw", "-o", output, "-p", str(os.getpid())]
    found = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached
    return found


async def _check(dsn: str, schema: str, tenant: str, args: argparse.Namespace) -> None:
    """What the engine stored and proposed (a sanity check, not part of the figure)."""
    conn = await asyncpg.connect(dsn)
    try:
        stored = await conn.fetchval(
            f"SELECT count(*) FROM {schema}.activity WHERE tenant = $1", tenant
        )
        proposed = await conn.fetch(
            f"SELECT category, status_code, count(*) FROM {schema}.outstanding WHERE tenant = $1"
            " GROUP BY 1, 2",
            tenant,
        )
    finally:
        await conn.close()
    print(
        f"  activity rows {stored} (events with activity), proposals {[tuple(r) for r in proposed]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--py-spy", default="", help="py-spy raw profile of the measured phase")
    parser.add_argument("--stages", action="store_true", help="print wall time per stage")
    parser.add_argument("--batch", type=int, default=0, help="batch_max_records (0: default)")
    args = parser.parse_args()
    if args.stages:
        stages.instrument()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
