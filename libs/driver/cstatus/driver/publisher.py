"""An acks=all producer of raw records and CloudEvents, keyed `{tenant}:{subject}`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from aiokafka import AIOKafkaProducer

from cstatus.contracts.envelope import EventData, encode, message_key, new_event

__all__ = ["Publisher"]

Headers = Sequence[tuple[str, bytes]]


class Publisher:
    def __init__(self, bootstrap: str, *, linger_ms: int = 5) -> None:
        self._producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=linger_ms,
            max_batch_size=256 * 1024,
            request_timeout_ms=60_000,
        )

    async def __aenter__(self) -> Publisher:
        await self._producer.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._producer.stop()

    async def send(
        self, topic: str, value: bytes | None, *, key: bytes | None = None, headers: Headers = ()
    ) -> asyncio.Future[Any]:
        """Hand one record to the producer; the future resolves when the broker acknowledged it
        (pipelining: await many `send`s, then their futures)."""
        future: asyncio.Future[Any] = await self._producer.send(
            topic, value=value, key=key, headers=list(headers) or None
        )
        return future

    async def send_raw(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers = ()
    ) -> int:
        """Publish bytes as they are and wait for the acknowledgement; the partition."""
        meta = await self._producer.send_and_wait(
            topic, value=value, key=key, headers=list(headers) or None
        )
        return int(meta.partition)

    async def send_many(
        self, records: Sequence[tuple[str, bytes | None, bytes | None, Headers]]
    ) -> None:
        """Publish `(topic, key, value, headers)` records, pipelined; return when all are acked."""
        futures = [
            await self._producer.send(t, value=v, key=k, headers=list(h) or None)
            for t, k, v, h in records
        ]
        for future in futures:
            await future

    async def emit(
        self,
        topic: str,
        tenant: str,
        subject: str,
        data: EventData,
        *,
        id: str,
        source: str = "driver",
        time: datetime | None = None,
        **attributes: Any,
    ) -> None:
        """Publish one CloudEvent (structured mode) keyed `{tenant}:{subject}`."""
        event = new_event(
            data,
            id=id,
            source=source,
            tenant=tenant,
            subject=subject,
            time=time or datetime.now(UTC),
            **attributes,
        )
        await self.send_raw(topic, message_key(tenant, subject), encode(event))
