"""Reading what the platform published for the tenant on a topic since the demo started."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, TopicPartition

from cstatus.contracts.envelope import CloudEvent, decode
from cstatus.contracts.errors import ContractError
from cstatus.platform.settings import KafkaSettings

__all__ = ["read_since"]

DataT = TypeVar("DataT")
_READ_TIMEOUT_S = 30.0


async def read_since(
    topic: str, model: type[CloudEvent[DataT]], tenant: str, since_ms: int
) -> list[CloudEvent[DataT]]:
    """Every message of `tenant` on `topic` written since `since_ms` (epoch ms), up to now.

    No consumer group: every partition is read from that time up to its end offset.
    """
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=KafkaSettings().bootstrap, enable_auto_commit=False, group_id=None
    )
    await consumer.start()
    try:
        partitions = await _partitions(consumer)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        starts = await consumer.offsets_for_times({tp: since_ms for tp in partitions})
        todo = {}
        for tp in partitions:
            found = starts.get(tp)
            if found is None or found.offset >= ends[tp]:
                continue
            consumer.seek(tp, found.offset)
            todo[tp] = ends[tp]
        return await _drain(consumer, todo, model, tenant)
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer) -> list[TopicPartition]:
    """Without a group, the consumer is given every partition of its topic once it knows them."""
    deadline = time.monotonic() + _READ_TIMEOUT_S
    while not consumer.assignment() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return list(consumer.assignment())


async def _drain(
    consumer: AIOKafkaConsumer,
    todo: dict[Any, int],
    model: type[CloudEvent[DataT]],
    tenant: str,
) -> list[CloudEvent[DataT]]:
    found: list[CloudEvent[DataT]] = []
    deadline = time.monotonic() + _READ_TIMEOUT_S
    while todo and time.monotonic() < deadline:
        batches = await consumer.getmany(*todo, timeout_ms=1_000)
        for records in batches.values():
            found.extend(e for e in map(_decoded(model), records) if e and e.tenant == tenant)
        for tp in list(todo):
            if await consumer.position(tp) >= todo[tp]:
                del todo[tp]
    return found


def _decoded(model: type[CloudEvent[DataT]]) -> Callable[[Any], CloudEvent[DataT] | None]:
    def one(record: Any) -> CloudEvent[DataT] | None:
        try:
            return decode(record.value, model) if record.value is not None else None
        except ContractError:
            return None  # not ours to judge: another producer's message

    return one
