"""The daily timer: at `sweep_at` (UTC) every configured tenant is swept as of that day."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.service.sweep import SweepBusy, sweep_tenant, tenants_to_sweep
from cstatus.rules_engine.service.unit_of_work import DecisionStores

__all__ = ["next_run", "run_daily"]

log = logging.getLogger(__name__)


def next_run(at: time, now: datetime) -> datetime:
    """The first `at` (UTC) strictly after `now`."""
    candidate = datetime.combine(now.astimezone(UTC).date(), at, UTC)
    return candidate if candidate > now else candidate + timedelta(days=1)


async def sweep_all(
    runtime: ServiceRuntime, clock: Callable[[], datetime], stores: DecisionStores
) -> None:
    as_of = clock().astimezone(UTC).date()
    for tenant in await tenants_to_sweep(runtime.pool):
        try:
            result = await sweep_tenant(runtime.pool, runtime.schema, tenant, as_of, clock, stores)
        except SweepBusy:
            continue  # another replica sweeps it
        log.info(
            "swept %s as of %s: %d candidates, %d proposed, %d warned",
            tenant,
            as_of,
            result.candidates,
            result.proposed,
            result.warned,
        )


async def run_daily(
    runtime: ServiceRuntime, at: time, clock: Callable[[], datetime], stores: DecisionStores
) -> None:
    while True:
        now = clock()
        await asyncio.sleep((next_run(at, now) - now).total_seconds())
        try:
            await sweep_all(runtime, clock, stores)
        except Exception:  # the timer must survive a failed night; the next one retries
            log.exception("daily sweep failed")
