"""Event → `customer-status.changed` latency (SPEC §3): a steady stream of upstream events, a
fraction of them a new customer's first booking; each lead → client change names its deciding
event in `explanation.event_ids`, which maps it back to the moment that event was sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench.producing import produce_at_rate, producer
from bench.stats import percentiles
from bench.system import System
from bench.workload import Message, Workload
from cstatus.contracts import topics
from cstatus.driver.offsets import Offsets

__all__ = ["LatencyResult", "Probes", "assign_at_end", "listen", "measure_latency"]


@dataclass(slots=True)
class Probes:
    tenant: str
    expected: set[str] = field(default_factory=set)
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    def sent(self, message: Message, at: float) -> None:
        if message.event_id in self.expected:
            self.sent_at[message.event_id] = at

    def received(self, change: dict[str, Any], at: float) -> None:
        if change.get("tenant") != self.tenant:
            return
        data = change.get("data") or {}
        explanation = data.get("explanation") or {}
        for event_id in explanation.get("event_ids") or ():
            sent = self.sent_at.pop(event_id, None)
            if sent is not None:
                self.latencies_ms.append((at - sent) * 1000)
                self.expected.discard(event_id)


@dataclass(frozen=True, slots=True)
class LatencyResult:
    rate_per_s: float
    achieved_rate_per_s: float
    events: int
    probes: int
    matched: int
    figures: dict[str, float]


async def listen(consumer: AIOKafkaConsumer, probes: Probes) -> None:
    while True:
        batches = await consumer.getmany(timeout_ms=100, max_records=1000)
        now = time.monotonic()
        for records in batches.values():
            for record in records:
                if record.value is not None:
                    probes.received(json.loads(record.value), now)


async def measure_latency(
    system: System,
    offsets: Offsets,
    workload: Workload,
    *,
    existing: int,
    rate_per_s: float,
    seconds: float,
    change_fraction: float,
    first_new: int,
) -> LatencyResult:
    chooser = random.Random(11)
    messages: list[Message] = []
    probes = Probes(workload.tenant)
    new_index = first_new
    for _ in range(int(rate_per_s * seconds)):
        if chooser.random() < change_fraction:
            message = workload.first_booking(workload.new(new_index))
            new_index += 1
            probes.expected.add(message.event_id)
        else:
            message = workload.repeat(workload.existing(chooser.randrange(existing)))
        messages.append(message)
    wanted = len(probes.expected)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=system.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=5
    )
    await consumer.start()
    try:
        await assign_at_end(consumer, offsets)
        listener = asyncio.create_task(listen(consumer, probes))
        try:
            async with producer(system.bootstrap) as kafka:
                achieved = await produce_at_rate(kafka, messages, rate_per_s, probes.sent)
            deadline = time.monotonic() + 30
            while probes.expected and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    finally:
        await consumer.stop()
    figures = percentiles(probes.latencies_ms)
    print(
        f"  latency: {len(probes.latencies_ms)}/{wanted} changes matched at"
        f" {achieved:.0f} events/s: {figures}",
        flush=True,
    )
    return LatencyResult(
        rate_per_s, achieved, len(messages), wanted, len(probes.latencies_ms), figures
    )


async def assign_at_end(consumer: AIOKafkaConsumer, offsets: Offsets) -> None:
    parts = await offsets.partitions([topics.STATUS_CHANGES])
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)  # resolve now, before anything is produced
