"""Dead letters: a message that cannot be processed goes to `<topic>.dlq` with its reason."""

from __future__ import annotations

from datetime import UTC, datetime

from aiokafka.structs import ConsumerRecord

from cstatus.contracts.topics import dlq_topic
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.kafka.producer import MessageSink

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
    def __init__(self, sink: MessageSink, *, group: str) -> None:
        self._sink = sink
        self._group = group
        self.count = 0

    async def send(
        self, record: ConsumerRecord[bytes, bytes], error: BaseException, *, tries: int
    ) -> None:
        await self._sink.send_batch([dead_letter_of(record, error, group=self._group, tries=tries)])
        self.count += 1
