"""Dead letters: a message that cannot be processed goes to `<topic>.dlq` with its reason."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from aiokafka.structs import ConsumerRecord

from cstatus.contracts.topics import dlq_topic
from cstatus.platform.db.inbox import claim
from cstatus.platform.db.outbox import OutboxMessage, enqueue
from cstatus.platform.kafka.producer import MessageSink
from cstatus.platform.ops_metrics import dead_lettered

__all__ = ["DeadLetters", "dead_letter_of"]

_MAX_ERROR = 2_000


def dead_letter_of(
    record: ConsumerRecord[bytes, bytes], error: BaseException, *, group: str, tries: int
) -> OutboxMessage:
    """The original message, unchanged, with the error and where it came from in its headers."""
    reason = f"{type(error).__name__}: {error}"[:_MAX_ERROR]
    headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith("x-dlq-")]
    headers += [
        ("x-dlq-error", reason.encode()),
        ("x-dlq-error-type", type(error).__name__.encode()),
        ("x-dlq-original-topic", record.topic.encode()),
        ("x-dlq-original-partition", str(record.partition).encode()),
        ("x-dlq-original-offset", str(record.offset).encode()),
        ("x-dlq-consumer-group", group.encode()),
        ("x-dlq-tries", str(tries).encode()),
        ("x-dlq-failed-at", datetime.now(UTC).isoformat().encode()),
    ]
    return OutboxMessage(
        topic=dlq_topic(record.topic),
        key=record.key,
        value=record.value if record.value is not None else b"",
        headers=tuple(headers),
    )


class DeadLetters:
    """Where a consumer group's poison goes.

    With `outbox=(pool, schema)` (how services run) a dead letter is written to the schema's
    outbox in a transaction that also claims the record's coordinates in the inbox: a record
    dead-lettered before a crash, and delivered again because its offset was not committed yet, is
    not dead-lettered a second time (SPEC §3: once per consuming group). Without it, messages go
    straight to `sink` (fast tests).
    """

    def __init__(
        self,
        sink: MessageSink | None = None,
        *,
        group: str,
        outbox: tuple[asyncpg.Pool, str] | None = None,
    ) -> None:
        if sink is None and outbox is None:
            raise ValueError("dead letters need a sink or an outbox")
        self._sink = sink
        self._group = group
        self._outbox = outbox
        self.count = 0

    async def send(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException, *, tries: int
    ) -> None:
        message = dead_letter_of(record, error, group=self._group, tries=tries)
        if self._outbox is None:
            assert self._sink is not None
            await self._sink.send_batch([message])
        else:
            pool, schema = self._outbox
            coordinates = f"{record.topic}:{record.partition}:{record.offset}"
            async with pool.acquire() as conn, conn.transaction():
                if not await claim(conn, schema, f"dlq:{self._group}", "", coordinates):
                    return  # dead-lettered before the crash that brought it back
                await enqueue(conn, schema, [message])
        self.count += 1
        dead_lettered(self._group, record.topic, error)
