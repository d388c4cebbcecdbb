"""What the e2e scenarios reach the running services through: their HTTP APIs, the input topics
and a reader of what they publish — nothing else (no database, no service internals).

`Platform` is the session-wide connection (HTTP client, Kafka producer, output reader);
`eventually` is the bounded polling every scenario waits with. `tenants.py` builds on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from cstatus.contracts import topics
from cstatus.driver.publisher import Publisher

__all__ = [
    "EXTRA_PROCESSES",
    "Output",
    "OutputReader",
    "Platform",
    "eventually",
    "metrics_of",
    "open_platform",
]

EXTRA_PROCESSES = {
    "assignment": ("http://127.0.0.1:8092",),
    "rules-engine": ("http://127.0.0.1:8093",),
}
"""What `deploy/local/services.sh` runs beside each service's API process (unless
CSTATUS_LOCAL_PROCESSES is `single`): assignment's consuming worker, the second rules engine."""


async def metrics_of(http: httpx.AsyncClient, service: str, base: str) -> str:
    """The `/metrics` of every process of a service that answers, one after the other: what a
    consumer counted is in the process that consumed it."""
    texts = [(await http.get(base + "/metrics")).text]
    for extra in EXTRA_PROCESSES.get(service, ()):
        with contextlib.suppress(httpx.HTTPError):  # not there: one process per service
            texts.append((await http.get(extra + "/metrics", timeout=2)).text)
    return "\n".join(texts)


T = TypeVar("T")

TIMEOUT_S = 30.0
STEP_S = 0.15
WATCHED = (
    topics.OUTLIERS,
    topics.REJECTIONS,
    topics.dlq_topic(topics.BOOKINGS_RESERVATIONS),
)


async def eventually(
    probe: Callable[[], Awaitable[T]],
    ok: Callable[[T], bool],
    what: str,
    *,
    timeout_s: float = TIMEOUT_S,
    step_s: float = STEP_S,
) -> T:
    """Poll `probe` until `ok` holds of its answer; fail saying what was awaited and last seen."""
    deadline = time.monotonic() + timeout_s
    while True:
        seen = await probe()
        if ok(seen):
            return seen
        if time.monotonic() >= deadline:
            raise AssertionError(f"waited {timeout_s:.0f}s for {what}; last seen: {seen!r}")
        await asyncio.sleep(step_s)


@dataclass(frozen=True)
class Output:
    """One record the services published on a watched topic."""

    topic: str
    partition: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]


@dataclass
class OutputReader:
    """Everything published on the watched topics since the session started."""

    seen: list[Output] = field(default_factory=list)

    async def wait(
        self, topic: str, match: Callable[[Output], bool], what: str, *, count: int = 1
    ) -> list[Output]:
        async def found() -> list[Output]:
            return [o for o in self.seen if o.topic == topic and match(o)]

        return await eventually(found, lambda hits: len(hits) >= count, f"{what} on {topic}")


@dataclass
class Platform:
    urls: dict[str, str]
    bootstrap: str
    http: httpx.AsyncClient
    producer: Publisher
    outputs: OutputReader

    async def send_raw(self, topic: str, key: bytes | None, value: bytes) -> int:
        """Publish bytes as they are; the partition they landed on."""
        return await self.producer.send_raw(topic, key, value)


@contextlib.asynccontextmanager
async def open_platform(urls: dict[str, str], bootstrap: str) -> AsyncIterator[Platform]:
    producer = Publisher(bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await producer.__aenter__()
    await consumer.start()
    metadata = await consumer._client.fetch_all_metadata()
    parts = [
        TopicPartition(name, p)
        for name in WATCHED
        for p in metadata.partitions_for_topic(name) or ()
    ]
    consumer.assign(parts)
    await consumer.seek_to_end(*parts)
    for tp in parts:
        await consumer.position(tp)
    reader = OutputReader()

    async def read() -> None:
        while True:
            for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                for r in records:
                    headers = {k: v.decode(errors="replace") for k, v in r.headers or ()}
                    reader.seen.append(Output(tp.topic, tp.partition, r.key, r.value, headers))

    task = asyncio.create_task(read())
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            yield Platform(urls, bootstrap, http, producer, reader)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await consumer.stop()
        await producer.__aexit__(None, None, None)
