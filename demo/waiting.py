"""Bounded waits: poll until a condition holds, print progress, fail clearly on timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

from demo.api import ApiError

__all__ = ["DemoTimeout", "say", "wait_until"]


class DemoTimeout(RuntimeError):
    """A wait of the demo ran out of time; the message says what it waited for."""


def say(message: str) -> None:
    print(f"[demo] {message}", flush=True)


async def wait_until(
    what: str,
    check: Callable[[], Awaitable[tuple[bool, str]]],
    *,
    timeout_s: float,
    interval_s: float = 1.0,
    report_every_s: float = 5.0,
) -> None:
    """Poll `check` (done?, progress text) every `interval_s` until done or `timeout_s` passed.

    Progress is printed at most every `report_every_s` and once when done. A service that cannot
    be reached or answers an error only means "not yet" (it may be restarting).
    """
    started = time.monotonic()
    reported = 0.0
    progress = ""
    while True:
        try:
            done, progress = await check()
        except (httpx.TransportError, ApiError) as error:  # e.g. a service restarting
            done, progress = False, f"{type(error).__name__}: {error}"
        elapsed = time.monotonic() - started
        if done:
            say(f"{what}: {progress} ({elapsed:.0f} s)")
            return
        if elapsed > timeout_s:
            raise DemoTimeout(
                f"gave up after {timeout_s:.0f} s waiting for {what} (last seen: {progress}); "
                "are the services running and healthy? see .stack/logs/"
            )
        if elapsed - reported >= report_every_s:
            say(f"waiting for {what}: {progress}")
            reported = elapsed
        await asyncio.sleep(interval_s)
