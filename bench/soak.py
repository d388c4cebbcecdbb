"""The soak (`make soak`): a steady rate for a set time on warm customers whose histories keep
growing, as an operator would try before going live. Per minute: the event → changed p50/p99 of
the new customers' first bookings sent in that minute, and each service's resident memory at its
end; at the end, each consumer group's lag. Messages are built a minute at a time (bounded memory
in the driver, whatever the duration)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer

from bench.latency import Probes, Stages, assign_at_end, event_ids, listen
from bench.memory import MemorySampler
from bench.producing import produce_at_rate, producer
from bench.stats import percentiles
from bench.system import System
from bench.workload import Message, Workload
from cstatus.driver.offsets import ALL_GROUPS, Offsets

__all__ = ["SoakResult", "measure_soak"]


@dataclass(slots=True)
class _MinuteProbes(Probes):
    """Probes that remember the minute each was sent in."""

    minute_of: dict[str, int] = field(default_factory=dict)
    by_minute: dict[int, list[float]] = field(default_factory=dict)
    minute: int = 0

    sent_per_minute: dict[int, int] = field(default_factory=dict)
    stages_by_minute: dict[int, Stages] = field(default_factory=dict)
    """Where the time of the probes sent in each minute went (`latency.Stages`)."""

    def sent(self, message: Message, at: float) -> None:
        if message.event_id in self.expected:
            self.sent_at[message.event_id] = at
            self.minute_of[message.event_id] = self.minute
            self.sent_per_minute[self.minute] = self.sent_per_minute.get(self.minute, 0) + 1
            self.stages_by_minute.setdefault(self.minute, Stages()).sent(message.event_id)

    def received(self, change: dict[str, Any], at: float) -> None:
        if change.get("tenant") != self.tenant:
            return
        for event_id in event_ids(change):
            sent = self.sent_at.pop(event_id, None)
            if sent is not None:
                latency_ms = (at - sent) * 1000
                self.latencies_ms.append(latency_ms)
                self.expected.discard(event_id)
                self.by_minute.setdefault(self.minute_of.pop(event_id), []).append(latency_ms)

    def on_proposal(self, proposal: dict[str, Any], record_ms: int) -> None:
        stages = self._stages_of(proposal)
        if stages is not None:
            stages.on_proposal(proposal, record_ms)

    def on_change(self, change: dict[str, Any], record_ms: int, now_wall: float) -> None:
        stages = self._stages_of(change)
        if stages is not None:
            stages.on_change(change, record_ms, now_wall)

    def _stages_of(self, message: dict[str, Any]) -> Stages | None:
        for event_id in event_ids(message):
            minute = self.minute_of.get(event_id)
            if minute is not None:
                return self.stages_by_minute.get(minute)
        return None


@dataclass(frozen=True, slots=True)
class SoakResult:
    minutes: list[dict[str, Any]]
    """Per minute: achieved rate, probes matched, p50/p99, each service's RSS (MiB)."""
    lag_at_end: dict[str, int]
    lag_after_s: float
    overall: dict[str, float]


BUILD_CHUNK = 2_000
"""Messages built between two chances for the listener to read changes: building a minute's
messages takes a second or two of this process's event loop, and a change read only after it
was timestamped that much late (the soak's per-minute max was ~2.5 s for that reason alone)."""


async def _minute_messages(
    workload: Workload,
    chooser: random.Random,
    probes: _MinuteProbes,
    *,
    existing: int,
    count: int,
    change_fraction: float,
    first_new: int,
) -> tuple[list[Message], int]:
    messages: list[Message] = []
    new_index = first_new
    for n in range(count):
        if n % BUILD_CHUNK == 0:
            await asyncio.sleep(0)
        if chooser.random() < change_fraction:
            message = workload.first_booking(workload.new(new_index))
            new_index += 1
            probes.expected.add(message.event_id)
        else:
            message = workload.repeat(workload.existing(chooser.randrange(existing)))
        messages.append(message)
    return messages, new_index


async def measure_soak(
    system: System,
    offsets: Offsets,
    workload: Workload,
    *,
    existing: int,
    rate_per_s: float,
    minutes: int,
    change_fraction: float,
    first_new: int,
    lag_grace_s: float = 5.0,
) -> SoakResult:
    chooser = random.Random(23)
    probes = _MinuteProbes(workload.tenant)
    memory = MemorySampler(system.pid_files())
    consumer = AIOKafkaConsumer(
        bootstrap_servers=system.bootstrap, enable_auto_commit=False, fetch_max_wait_ms=5
    )
    rows: list[dict[str, Any]] = []
    await consumer.start()
    try:
        await assign_at_end(consumer, offsets)
        listener = asyncio.create_task(listen(consumer, probes))
        try:
            async with producer(system.bootstrap) as kafka:
                new_index = first_new
                for minute in range(minutes):
                    probes.minute = minute
                    messages, new_index = await _minute_messages(
                        workload,
                        chooser,
                        probes,
                        existing=existing,
                        count=int(rate_per_s * 60),
                        change_fraction=change_fraction,
                        first_new=new_index,
                    )
                    achieved = await produce_at_rate(kafka, messages, rate_per_s, probes.sent)
                    rss = memory.current_mib()
                    rows.append({"minute": minute + 1, "achieved_events_per_s": round(achieved)})
                    rows[-1]["rss_mib"] = rss
                    done = probes.by_minute.get(minute - 1, []) if minute else []
                    print(
                        f"  soak minute {minute + 1}/{minutes}: {achieved:,.0f} events/s sent,"
                        f" previous minute {percentiles(done)}, RSS {rss}",
                        flush=True,
                    )
            await asyncio.sleep(lag_grace_s)
            lag = await _lags(offsets)
            deadline = time.monotonic() + 60
            while probes.expected and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
        finally:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
    finally:
        await consumer.stop()
    for row in rows:
        samples = probes.by_minute.get(row["minute"] - 1, [])
        row["changes_expected"] = probes.sent_per_minute.get(row["minute"] - 1, 0)
        row["changes_matched"] = len(samples)
        row.update(percentiles(samples))
        stages = probes.stages_by_minute.get(row["minute"] - 1)
        if stages is not None:
            row["stages_p99_ms"] = {
                name: found.get("p99_ms") for name, found in stages.figures().items()
            }
    overall = percentiles(probes.latencies_ms)
    return SoakResult(rows, lag, lag_grace_s, overall)


async def _lags(offsets: Offsets) -> dict[str, int]:
    found: dict[str, int] = {}
    for group, names in ALL_GROUPS.items():
        target = await offsets.ends(names)
        found[group] = await offsets.lag(group, target)
    return found


def plot(result: dict[str, Any], path: Any) -> bool:
    """The three curves (p50, p99, RSS per service) per minute as a PNG; False when matplotlib is
    not installed (`make soak` installs it)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    minutes = [row["minute"] for row in result["minutes"]]
    figure, (latency, memory) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for key, label in (("p50_ms", "p50"), ("p99_ms", "p99")):
        latency.plot(minutes, [row.get(key) for row in result["minutes"]], marker="o", label=label)
    latency.axhline(250, color="grey", linestyle="--", linewidth=1, label="p99 target 250 ms")
    latency.set_ylabel("event → changed (ms)")
    latency.set_title(
        f"soak at {result['rate_events_per_s']:,.0f} events/s, lag at end "
        f"{sum(result['lag_at_end'].values()):,} records"
    )
    latency.legend()
    names = sorted({n for row in result["minutes"] for n in row["rss_mib"]})
    for name in names:
        memory.plot(minutes, [row["rss_mib"].get(name) for row in result["minutes"]], label=name)
    memory.axhline(200, color="grey", linestyle="--", linewidth=1, label="200 MiB budget")
    memory.set_ylabel("RSS (MiB)")
    memory.set_xlabel("minute")
    memory.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True
