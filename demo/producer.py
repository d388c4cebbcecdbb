"""Publishing the feed to the upstream topics, as the booking, POS, payment and CRM systems do."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from cstatus.contracts.commands import AssignStatus
from cstatus.contracts.envelope import encode, message_key, new_event
from cstatus.contracts.topics import COMMANDS
from cstatus.driver.publisher import Publisher as KafkaPublisher
from cstatus.platform.settings import KafkaSettings
from demo.feed import FeedEvent
from demo.waiting import say

__all__ = ["Publisher"]

_CHUNK = 2_000


class Publisher:
    """An aiokafka producer for one tenant; event ids are `evt-<n>`, counted per publisher."""

    def __init__(self, tenant: str) -> None:
        self._tenant = tenant
        self._producer = KafkaPublisher(KafkaSettings().bootstrap, linger_ms=20)
        self._sent = 0

    async def __aenter__(self) -> Publisher:
        await self._producer.__aenter__()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._producer.__aexit__(kind, error, tb)

    async def _send(self, topic: str, subject: str, value: bytes) -> Any:
        key = message_key(self._tenant, subject)
        return await self._producer.send(topic, value=value, key=key)

    def _value(self, event: FeedEvent) -> bytes:
        self._sent += 1
        envelope = new_event(
            event.data,
            id=f"evt-{self._sent:07d}",
            source=event.source,
            tenant=self._tenant,
            subject=event.subject,
            time=event.time,
        )
        return encode(envelope)

    async def publish(self, events: Sequence[FeedEvent], *, label: str = "feed") -> None:
        """Send `events` in order, waiting for the broker's acknowledgement every few thousand."""
        total = len(events)
        for start in range(0, total, _CHUNK):
            chunk = events[start : start + _CHUNK]
            pending = [await self._send(e.topic, e.subject, self._value(e)) for e in chunk]
            await asyncio.gather(*pending)
            done = start + len(chunk)
            if total > _CHUNK or done == total:
                month = chunk[-1].time.strftime("%Y-%m")
                say(f"{label} {done}/{total} events (simulated time {month})")

    async def command(
        self, command_id: str, customer: str, command: AssignStatus, actor: str
    ) -> None:
        """An external system's command on `customer-status.commands.v1`."""
        envelope = new_event(
            command,
            id=command_id,
            source="crm-sync",
            tenant=self._tenant,
            subject=customer,
            time=datetime.now(UTC),
            actor=actor,
        )
        await (await self._send(COMMANDS, customer, encode(envelope)))
