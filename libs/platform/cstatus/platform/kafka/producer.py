"""An idempotent Kafka producer that sends whole batches and waits for every acknowledgement."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from aiokafka import AIOKafkaProducer

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.settings import KafkaSettings

__all__ = ["KafkaProducer", "MessageSink"]


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

    async def start(self) -> None:
        """Connect (aiokafka clients must be created inside the running loop)."""
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self._settings.bootstrap,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=self._settings.linger_ms,
            max_batch_size=256 * 1024,
            request_timeout_ms=30_000,
        )
        await self._producer.start()

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        if self._producer is None:
            raise RuntimeError("the producer has not started")
        producer = self._producer
        pending = [
            await producer.send(m.topic, m.value, key=m.key, headers=list(m.headers) or None)
            for m in messages
        ]
        await asyncio.gather(*pending)
