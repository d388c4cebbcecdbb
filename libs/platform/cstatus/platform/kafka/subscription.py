"""What a service consumes: a consumer group's topics and how its batch handler is built once the
runtime runs (`ServiceRuntime` subscribes each; `bootstrap.py` lists them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiokafka.structs import ConsumerRecord

from cstatus.platform.kafka.dead_letters import DeadLetters

if TYPE_CHECKING:
    from cstatus.platform.service import ServiceRuntime

__all__ = ["BatchHandler", "Subscription"]

BatchHandler = Callable[[Sequence[ConsumerRecord[bytes, bytes]]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subscription:
    """Topics a consumer group reads, and how to build its batch handler once the runtime runs."""

    group_id: str
    topics: tuple[str, ...]
    build: Callable[[ServiceRuntime, DeadLetters], BatchHandler]
    max_records: int | None = None
    """Records per batch, if fewer than `CSTATUS_KAFKA_BATCH_MAX_RECORDS` (a latency lane keeps
    its batches, and the memory a batch holds, small)."""
    adopts: str | None = None
    """A group that read these topics in an earlier release: its committed offsets are adopted
    where this group has none (`kafka.adopt.adopt_offsets`), so the move loses and replays
    nothing."""
