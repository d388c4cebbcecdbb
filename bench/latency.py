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
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench.producing import produce_at_rate, producer
from bench.stats import percentiles
from bench.system import System
from bench.workload import Message, Workload
from cstatus.contracts import topics
from cstatus.driver.offsets import Offsets

__all__ = [
    "LatencyResult",
    "Probes",
    "Stages",
    "assign_at_end",
    "event_ids",
    "listen",
    "measure_latency",
]


@dataclass(slots=True)
class Stages:
    """Where a probe's time goes, from the messages' `time` (when the service stamped it, inside
    its transaction) and the Kafka record timestamps (when the relay handed the record to its
    producer, after the commit); every process runs on this machine, so one clock:

    - `engine_decided`: the booking's sending → the proposal's `time` (the rules engine's fetch,
      batch wait and decision);
    - `engine_relayed`: → the proposal's record (rest of the batch, commit, the relay's wake-up);
    - `assignment_applied`: → the change's `time` (the worker's fetch, batch wait and guards);
    - `assignment_relayed`: → the change's record;
    - `delivery`: → this consumer reading it."""

    sent_wall: dict[str, float] = field(default_factory=dict)
    proposed: dict[str, tuple[float, float]] = field(default_factory=dict)
    samples_ms: dict[str, list[float]] = field(
        default_factory=lambda: {
            name: []
            for name in (
                "engine_decided",
                "engine_relayed",
                "assignment_applied",
                "assignment_relayed",
                "delivery",
            )
        }
    )

    def sent(self, event_id: str) -> None:
        self.sent_wall[event_id] = time.time()

    def on_proposal(self, proposal: dict[str, Any], record_ms: int) -> None:
        for event_id in event_ids(proposal):
            if event_id in self.sent_wall and event_id not in self.proposed:
                self.proposed[event_id] = (_stamp(proposal), record_ms / 1000)

    def on_change(self, change: dict[str, Any], record_ms: int, now_wall: float) -> None:
        for event_id in event_ids(change):
            sent = self.sent_wall.pop(event_id, None)
            proposed = self.proposed.pop(event_id, None)
            if sent is None or proposed is None:
                continue
            points = (sent, *proposed, _stamp(change), record_ms / 1000, now_wall)
            for name, start, end in zip(self.samples_ms, points, points[1:], strict=False):
                self.samples_ms[name].append((end - start) * 1000)

    def figures(self) -> dict[str, dict[str, float]]:
        return {stage: percentiles(samples) for stage, samples in self.samples_ms.items()}


def _stamp(message: dict[str, Any]) -> float:
    return datetime.fromisoformat(message["time"]).timestamp()


@dataclass(slots=True)
class Probes:
    tenant: str
    expected: set[str] = field(default_factory=set)
    sent_at: dict[str, float] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    stages: Stages = field(default_factory=Stages)

    def sent(self, message: Message, at: float) -> None:
        if message.event_id in self.expected:
            self.sent_at[message.event_id] = at
            self.stages.sent(message.event_id)

    def received(self, change: dict[str, Any], at: float) -> None:
        if change.get("tenant") != self.tenant:
            return
        for event_id in event_ids(change):
            sent = self.sent_at.pop(event_id, None)
            if sent is not None:
                self.latencies_ms.append((at - sent) * 1000)
                self.expected.discard(event_id)

    def on_proposal(self, proposal: dict[str, Any], record_ms: int) -> None:
        self.stages.on_proposal(proposal, record_ms)

    def on_change(self, change: dict[str, Any], record_ms: int, now_wall: float) -> None:
        self.stages.on_change(change, record_ms, now_wall)


def event_ids(message: dict[str, Any]) -> list[str]:
    data = message.get("data") or {}
    return list((data.get("explanation") or {}).get("event_ids") or ())


@dataclass(frozen=True, slots=True)
class LatencyResult:
    rate_per_s: float
    achieved_rate_per_s: float
    events: int
    probes: int
    matched: int
    figures: dict[str, float]
    stages: dict[str, dict[str, float]]
    """`Stages.figures()`: percentiles of each stage of the path."""


async def listen(consumer: AIOKafkaConsumer, probes: Probes) -> None:
    """Read changes (and proposals, when assigned) until cancelled."""
    while True:
        batches = await consumer.getmany(timeout_ms=100, max_records=1000)
        now = time.monotonic()
        now_wall = time.time()
        for tp, records in batches.items():
            for record in records:
                if record.value is None:
                    continue
                message = json.loads(record.value)
                if message.get("tenant") != probes.tenant:
                    continue
                if tp.topic == topics.PROPOSALS:
                    probes.on_proposal(message, record.timestamp)
                    continue
                probes.on_change(message, record.timestamp, now_wall)
                probes.received(message, now)


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
    stages = probes.stages.figures()
    print(
        f"  latency: {len(probes.latencies_ms)}/{wanted} changes matched at"
        f" {achieved:.0f} events/s: {figures}\n  stages p50/p99 ms: "
        + ", ".join(
            f"{name} {found.get('p50_ms')}/{found.get('p99_ms')}" for name, found in stages.items()
        ),
        flush=True,
    )
    return LatencyResult(
        rate_per_s, achieved, len(messages), wanted, len(probes.latencies_ms), figures, stages
    )


async def assign_at_end(consumer: AIOKafkaConsumer, offsets: Offsets) -> None:
    parts = await offsets.partitions([topics.STATUS_CHANGES, topics.PROPOSALS])
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)  # resolve now, before anything is produced
