"""Pins end at their `until` time without anyone acting: a periodic task clears them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg

from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.domain.decisions import Applied
from cstatus.assignment.service.assignments import AfterCommit, Assignments

__all__ = ["expire_due_pins", "run_pin_expiry"]

log = logging.getLogger(__name__)


async def expire_due_pins(
    service: Assignments,
    pool: asyncpg.Pool,
    cache: RestrictionsCache,
    now: datetime,
    *,
    limit: int = 500,
) -> int:
    """Clear every pin due at `now` (each in its own transaction); return how many were cleared."""
    cleared = 0
    for tenant, customer, category in await service.repo.pins_due(pool, now, limit):
        after = AfterCommit()
        async with pool.acquire() as conn, conn.transaction():
            decision = await service.expire_pin(conn, tenant, customer, category, now, after)
        await after.flush(cache)
        cleared += isinstance(decision, Applied)
    return cleared


async def run_pin_expiry(
    service: Assignments,
    pool: asyncpg.Pool,
    cache: RestrictionsCache,
    interval_s: float,
    clock: Callable[[], datetime],
) -> None:
    """Until cancelled: every `interval_s`, clear the pins that are due."""
    while True:
        try:
            await expire_due_pins(service, pool, cache, clock())
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("pin expiry interrupted: %r", error)
        await asyncio.sleep(interval_s)
