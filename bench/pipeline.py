"""Pipeline throughput (SPEC §3): mixed upstream events, mostly changing nothing, produced as fast
as possible; done when the rules engine's and the assignment's consumer groups have committed up
to the end offsets. Beside it, a raw aiokafka consume → produce pass-through of the same offset
range (fresh group, commit per batch, to a scratch topic): what Kafka and Python alone allow."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from bench.producing import IN_FLIGHT, produce_all, producer
from bench.system import System
from bench.workload import Workload
from cstatus.driver.offsets import GROUPS, Offsets, Progress
from cstatus.driver.publisher import Publisher

__all__ = ["PipelineResult", "measure_pipeline"]


@dataclass(frozen=True, slots=True)
class PipelineResult:
    events: int
    seconds: float
    events_per_s: float
    produce_events_per_s: float
    passthrough_records: int
    passthrough_seconds: float
    passthrough_events_per_s: float

    @property
    def ratio_to_passthrough(self) -> float:
        return self.events_per_s / max(1e-9, self.passthrough_events_per_s)


def _input_topics(workload_topics: set[str]) -> dict[str, tuple[str, ...]]:
    """Each group's topics among those the workload writes to."""
    return {
        group: tuple(t for t in names if t in workload_topics) for group, names in GROUPS.items()
    }


async def measure_pipeline(
    system: System, offsets: Offsets, workload: Workload, *, events: int, existing: int, run_id: str
) -> PipelineResult:
    messages = workload.mixed(events, existing)
    names = sorted({m.topic for m in messages})
    starts = await offsets.ends(names)
    async with producer(system.bootstrap) as kafka:
        began = time.monotonic()
        await produce_all(kafka, messages)
        produced = time.monotonic()
    stops = await offsets.ends(names)
    done = await offsets.wait_groups(_input_topics(set(names)), timeout_s=600)
    seconds = done - began
    print(f"  pipeline: {events} events in {seconds:.2f}s", flush=True)
    records, pass_seconds = await _passthrough(system.bootstrap, starts, stops, run_id)
    print(f"  pass-through: {records} records in {pass_seconds:.2f}s", flush=True)
    return PipelineResult(
        events=events,
        seconds=seconds,
        events_per_s=events / seconds,
        produce_events_per_s=events / (produced - began),
        passthrough_records=records,
        passthrough_seconds=pass_seconds,
        passthrough_events_per_s=records / pass_seconds,
    )


async def _passthrough(
    bootstrap: str, starts: Progress, stops: Progress, run_id: str
) -> tuple[int, float]:
    scratch = f"bench-passthrough-{run_id}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(scratch, num_partitions=6, replication_factor=1)])
        return await _copy(bootstrap, starts, stops, scratch, f"bench-passthrough-{run_id}")
    finally:
        await admin.delete_topics([scratch])
        await admin.close()


async def _copy(
    bootstrap: str, starts: Progress, stops: Progress, scratch: str, group: str
) -> tuple[int, float]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        wanted = [tp for tp in starts if stops[tp] > starts[tp]]
        consumer.assign(wanted)
        for tp in wanted:
            consumer.seek(tp, starts[tp])
        async with producer(bootstrap) as kafka:
            began = time.monotonic()
            copied = await _copy_range(consumer, kafka, scratch, stops, set(wanted), began + 600)
            return copied, time.monotonic() - began
    finally:
        await consumer.stop()


async def _copy_range(
    consumer: AIOKafkaConsumer,
    kafka: Publisher,
    scratch: str,
    stops: Progress,
    open_parts: set[TopicPartition],
    deadline: float,
) -> int:
    """Forward every record below its partition's stop offset; commit after each batch."""
    copied = 0
    while open_parts and time.monotonic() < deadline:
        batches = await consumer.getmany(*open_parts, timeout_ms=500, max_records=IN_FLIGHT)
        futures = []
        for tp, records in batches.items():
            for record in records:
                if record.offset < stops[tp]:
                    futures.append(await kafka.send(scratch, record.value, key=record.key))
        for tp in list(open_parts):
            if await consumer.position(tp) >= stops[tp]:
                open_parts.discard(tp)
        await asyncio.gather(*futures)
        copied += len(futures)
        await consumer.commit()
    return copied
