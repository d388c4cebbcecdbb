"""Producing the bench's messages with aiokafka: as fast as possible, or at a steady rate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from bench.workload import Message
from cstatus.driver.publisher import Publisher

__all__ = ["produce_all", "produce_at_rate", "producer"]

IN_FLIGHT = 5_000
"""Sends awaited together: bounded memory, and batches big enough for the broker."""


@asynccontextmanager
async def producer(bootstrap: str, *, linger_ms: int = 5) -> AsyncIterator[Publisher]:
    async with Publisher(bootstrap, linger_ms=linger_ms) as kafka:
        yield kafka


async def produce_all(kafka: Publisher, messages: Sequence[Message]) -> None:
    """Send everything, `IN_FLIGHT` at a time, and wait until the broker acknowledged it."""
    for start in range(0, len(messages), IN_FLIGHT):
        futures = [
            await kafka.send(m.topic, m.value, key=m.key)
            for m in messages[start : start + IN_FLIGHT]
        ]
        await asyncio.gather(*futures)


async def produce_at_rate(
    kafka: Publisher,
    messages: Sequence[Message],
    rate_per_s: float,
    on_sent: Callable[[Message, float], None],
    *,
    tick_s: float = 0.01,
) -> float:
    """Open-loop: message i is due at start + i / rate; each tick sends whatever is due.
    `on_sent(message, monotonic time)` is called as it is handed to the producer. Returns the
    achieved rate."""
    start = time.monotonic()
    sent = 0
    pending = []
    while sent < len(messages):
        due = min(len(messages), int((time.monotonic() - start) * rate_per_s) + 1)
        while sent < due:
            message = messages[sent]
            on_sent(message, time.monotonic())
            pending.append(await kafka.send(message.topic, message.value, key=message.key))
            sent += 1
        next_at = start + sent / rate_per_s
        await asyncio.sleep(max(0.0, min(tick_s, next_at - time.monotonic())))
    await asyncio.gather(*pending)
    return len(messages) / max(1e-9, time.monotonic() - start)
