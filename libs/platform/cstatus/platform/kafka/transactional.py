"""The usual way a service consumes: one transaction per batch with inbox de-duplication.

The handler built here decodes each record as a CloudEvent of its topic (undecodable ones are
dead-lettered), then in ONE database transaction claims the events in the inbox and hands only the
new ones to `apply`, which changes state and writes outbox rows on the same connection. The offsets
are committed after that transaction, so a crash anywhere replays the batch and the inbox drops what
was already applied.

`apply` may return work to do once the transaction has committed (assignment writes its
restrictions cache then, so no cache ever holds a state that was rolled back); a crash before that
work leaves the cache behind, never ahead. A batch can be split into several transactions
(`split`), so a batch of heavy records (bulk chunks) keeps each transaction short.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from aiokafka.structs import ConsumerRecord

from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.errors import ContractError
from cstatus.contracts.registry import decode_input
from cstatus.platform.db.inbox import claim_many
from cstatus.platform.kafka import tolerance
from cstatus.platform.kafka.consumer import Decoded, ReliableBatchConsumer
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.settings import KafkaSettings
from cstatus.platform.tracing import batch_span

__all__ = [
    "AfterCommit",
    "ApplyEvents",
    "Batch",
    "KeyMismatch",
    "Split",
    "decode_record",
    "transactional_consumer",
]

AfterCommit = Callable[[], Awaitable[None]]
"""Work `apply` leaves for after the commit of its transaction."""
ApplyEvents = Callable[
    [asyncpg.Connection, Sequence[CloudEvent[Any]]], Awaitable[AfterCommit | None]
]
Batch = Sequence[Decoded[CloudEvent[Any]]]
Split = Callable[[Batch], list[Batch]]
"""Cuts a batch into the parts applied in a transaction each, in order."""


log = logging.getLogger(__name__)


class KeyMismatch(ValueError):
    """The record's key names another tenant than its envelope: never applied (SPEC §2)."""


def _binary_envelope(record: ConsumerRecord[bytes, bytes]) -> bytes | None:
    """A binary-mode record (CloudEvents Kafka binding: attributes in `ce_*` headers, `data` as
    the value) as the structured JSON it stands for; None for a structured-mode record."""
    headers = record.headers or ()
    if not any(name == "ce_specversion" for name, _ in headers):
        return None
    body: dict[str, Any] = {}
    for name, value in headers:
        if name.startswith("ce_"):
            body[name[3:]] = value.decode("utf-8", "replace")
        elif name.lower() == "content-type":
            body["datacontenttype"] = value.decode("utf-8", "replace")
    try:
        body["data"] = json.loads(record.value) if record.value else None
    except ValueError as error:
        raise ContractError(
            f"binary-mode data on {record.topic} is not valid JSON: {error}"
        ) from error
    return json.dumps(body).encode()


def decode_record(record: ConsumerRecord[bytes, bytes]) -> CloudEvent[Any]:
    """The CloudEvent in a record, in either content mode of the CloudEvents Kafka binding
    (detected per record: `ce_specversion` header → binary, else structured), validated against
    its topic's contract; the tenant of its key (`{tenant}:{subject}`, or the bare tenant on
    tenant-wide topics) must be the envelope's."""
    binary = _binary_envelope(record)
    if binary is None and record.value is None:
        raise ValueError("empty message (tombstone) where an event was expected")
    event = decode_input(record.topic, binary if binary is not None else record.value)
    ignored = getattr(event.data, "ignored_fields", ())
    if ignored:
        tolerance.ignored_fields(event.type, ignored)
    if record.key is not None:
        keyed = record.key.partition(b":")[0].decode("utf-8", "replace")
        if keyed != event.tenant:
            raise KeyMismatch(
                f"the key names tenant {keyed!r} but the envelope says {event.tenant!r}"
            )
    return event


class _Phases:
    """Wall time per phase of one batch."""

    def __init__(self, batch: Batch) -> None:
        self._batch = batch
        self._started_wall_ms = time.time() * 1000
        self._start = self._last = time.perf_counter()
        self.spent: dict[str, float] = {}

    def mark(self, phase: str) -> None:
        now = time.perf_counter()
        self.spent[phase] = now - self._last
        self._last = now

    def report(self, consumer: str, slow_s: float) -> None:
        total = self._last - self._start
        if total >= slow_s:
            stamps = [d.record.timestamp for d in self._batch if d.record.timestamp is not None]
            waited_ms = self._started_wall_ms - max(stamps) if stamps else 0.0
            log.info(
                "slow batch of %s: %d records in %.0f ms (%s), the newest waited %.0f ms",
                consumer,
                len(self._batch),
                total * 1000,
                ", ".join(f"{k} {v * 1000:.0f}" for k, v in self.spent.items()),
                waited_ms,  # the batch's newest record, from its producer's stamp to the start
            )


def transactional_consumer(
    pool: asyncpg.Pool,
    *,
    schema: str,
    consumer: str,
    apply: ApplyEvents,
    dead_letters: DeadLetters,
    settings: KafkaSettings,
    split: Split | None = None,
) -> ReliableBatchConsumer[CloudEvent[Any]]:
    async def handle(batch: Batch) -> None:
        for part in split(batch) if split is not None else [batch]:
            if part:
                with batch_span(f"{consumer} batch", [d.value for d in part]):
                    await _apply_once(part)

    async def _apply_once(batch: Batch) -> None:
        after: AfterCommit | None = None
        times = _Phases(batch)
        async with pool.acquire() as conn:
            times.mark("acquire")
            async with conn.transaction():
                fresh = await claim_many(
                    conn, schema, consumer, [(d.value.tenant, d.value.id) for d in batch]
                )
                times.mark("inbox")
                new: list[CloudEvent[Any]] = []
                for item in batch:
                    key = (item.value.tenant, item.value.id)
                    if key in fresh:
                        fresh.discard(key)  # a duplicate inside the batch is applied once
                        new.append(item.value)
                if new:
                    after = await apply(conn, new)
                times.mark("apply")
            times.mark("commit")
        if after is not None:
            await after()
            times.mark("after_commit")
        times.report(consumer, settings.slow_batch_ms / 1000)

    return ReliableBatchConsumer(
        decode=decode_record,
        handle=handle,
        dead_letters=dead_letters,
        max_tries=settings.max_tries,
        backoff_s=settings.retry_backoff_ms / 1000,
    )
