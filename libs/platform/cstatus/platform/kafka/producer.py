"""An idempotent Kafka producer that sends whole batches and waits for every acknowledgement.

A send that fails for any other reason than the messages themselves (which the broker refuses for
good, e.g. over its size limit) leaves the client suspect: it is closed and a new one is started
on the next send, so a producer that hit a fatal error never stalls the outbox for good.
`healthy` tells readiness whether the last attempt worked."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.settings import KafkaSettings

__all__ = ["KafkaProducer", "MessageSink", "refused_for_good"]

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 5.0


def refused_for_good(error: BaseException) -> bool:
    """The broker refuses these messages however often they are sent (size, invalid topic…)."""
    return (
        isinstance(error, KafkaError)
        and not getattr(error, "retriable", True)
        and type(error).__name__
        in {
            "MessageSizeTooLargeError",
            "RecordListTooLargeError",
            "InvalidTopicError",
            "TopicAuthorizationFailedError",
            "CorruptRecordException",
            "InvalidRecordError",
        }
    )


class MessageSink(Protocol):
    """Where the outbox relay and the dead-letter path send messages."""

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        """Send all messages, in order per partition; return once all are acknowledged."""
        ...


class KafkaProducer:
    """`acks=all` and idempotence, so a retried send never duplicates or reorders a partition."""

    def __init__(self, settings: KafkaSettings, *, client_id: str) -> None:
        self._settings = settings
        self._client_id = client_id
        self._producer: AIOKafkaProducer | None = None
        self._broken = False
        self.rebuilds = 0

    @property
    def healthy(self) -> bool:
        return self._producer is not None and not self._broken

    async def start(self) -> None:
        """Connect (aiokafka clients must be created inside the running loop)."""
        producer = AIOKafkaProducer(
            bootstrap_servers=self._settings.bootstrap,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._settings.linger_ms,
            max_batch_size=256 * 1024,
            request_timeout_ms=30_000,
        )
        try:
            await producer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), STOP_TIMEOUT_S)
            raise
        self._producer, self._broken = producer, False

    async def stop(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await asyncio.wait_for(producer.stop(), STOP_TIMEOUT_S)
            except Exception as error:  # a broken client may fail to stop; it is dropped anyway
                log.warning("producer %s did not stop cleanly: %r", self._client_id, error)

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        if self._broken:
            await self.stop()
            await self.start()
            self.rebuilds += 1
            log.warning("producer %s rebuilt after a failure", self._client_id)
        if self._producer is None:
            raise RuntimeError("the producer has not started")
        producer = self._producer
        try:
            pending = [
                await producer.send(m.topic, m.value, key=m.key, headers=list(m.headers) or None)
                for m in messages
            ]
            await asyncio.gather(*pending)
        except Exception as error:
            if not refused_for_good(error):
                self._broken = True
            raise
