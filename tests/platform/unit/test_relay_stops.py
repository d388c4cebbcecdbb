"""The outbox relay stops when cancelled, even if a commit's notification wakes it in the same
instant (Python 3.11's `asyncio.wait_for` returns the finished result and drops the cancellation
then: the relay kept its connection and the service's pool never closed — a CI run hung on it)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.db.relay import OutboxRelay

pytestmark = pytest.mark.unit


class _IdleConnection:
    """Holds the lock, has nothing to relay."""

    def __init__(self) -> None:
        self.unlocked = False

    async def fetchval(self, *_: Any) -> bool:
        return True

    async def fetch(self, *_: Any) -> list[Any]:
        return []

    async def add_listener(self, *_: Any) -> None:
        return None

    async def remove_listener(self, *_: Any) -> None:
        return None

    async def execute(self, query: str, *_: Any) -> str:
        self.unlocked = self.unlocked or "unlock" in query
        return "SELECT 1"

    def is_closed(self) -> bool:
        return False


class _NoSink:
    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        raise AssertionError("nothing to send")


async def test_a_cancel_that_meets_a_wake_up_stops_the_relay() -> None:
    for _ in range(20):
        relay = OutboxRelay(None, "s", _NoSink(), poll_interval_s=30.0)  # type: ignore[arg-type]
        conn = _IdleConnection()
        task = asyncio.create_task(relay._lead(conn))  # type: ignore[arg-type]
        for _ in range(5):
            await asyncio.sleep(0)  # now waiting for a notification
        relay._on_notify()  # a commit's NOTIFY …
        task.cancel()  # … and the service's stop, in the same tick
        done, _ = await asyncio.wait({task}, timeout=2.0)
        assert done, "the relay swallowed its cancellation and kept relaying"
        assert task.cancelled()
        assert conn.unlocked
