"""A group-less reader: every record of some topics between two snapshots of their end offsets."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

__all__ = ["Record", "read_between"]


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Mapping[str, bytes]

    def header(self, name: str) -> str | None:
        value = self.headers.get(name)
        return value.decode(errors="replace") if value is not None else None


async def read_between(
    bootstrap: str,
    start: Mapping[TopicPartition, int],
    end: Mapping[TopicPartition, int],
    *,
    key_prefix: bytes = b"",
    timeout_s: float = 120.0,
) -> list[Record]:
    """Every record at offsets [start, end) of each partition of `end` whose key starts with
    `key_prefix` (any record, keyless ones too, when it is empty), in partition order (a
    partition missing from `start` is read from 0)."""
    found: list[Record] = []
    todo = {tp: stop for tp, stop in end.items() if stop > start.get(tp, 0)}
    if not todo:  # nothing to read: no consumer (one stopped right after its start can fail)
        return found
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, max_partition_fetch_bytes=4 << 20
    )
    await consumer.start()
    try:
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, start.get(tp, 0))
        deadline = time.monotonic() + timeout_s
        while todo:
            if time.monotonic() > deadline:
                raise TimeoutError(f"records still unread after {timeout_s:.0f}s: {todo}")
            batches = await consumer.getmany(timeout_ms=500, max_records=5_000)
            for tp, records in batches.items():
                stop = todo.get(tp)
                if stop is None:
                    continue
                for r in records:
                    if r.offset >= stop:
                        break
                    if not key_prefix or (r.key is not None and r.key.startswith(key_prefix)):
                        found.append(
                            Record(
                                tp.topic,
                                tp.partition,
                                r.offset,
                                r.key,
                                r.value,
                                dict(r.headers or ()),
                            )
                        )
                if records and records[-1].offset + 1 >= stop:
                    del todo[tp]
                    consumer.pause(tp)
            await asyncio.sleep(0)
    finally:
        await _stop(consumer)
    return found


async def _stop(consumer: AIOKafkaConsumer) -> None:
    """Stop the consumer. aiokafka's `stop()` may re-raise the cancellation of its own internal
    task; only a cancellation of the caller is passed on."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
