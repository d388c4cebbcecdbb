"""The background worker of re-evaluation jobs: pages while there is work, polls otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.adapters.metrics import ReevaluationMetrics
from cstatus.rules_engine.adapters.reevaluations import pending_customers
from cstatus.rules_engine.service.reevaluate import work_page
from cstatus.rules_engine.service.unit_of_work import DecisionStores

__all__ = ["run"]

log = logging.getLogger(__name__)


async def run(
    runtime: ServiceRuntime,
    metrics: ReevaluationMetrics,
    *,
    page_size: int,
    poll_s: float,
    clock: Callable[[], datetime],
    stores: DecisionStores,
) -> None:
    while True:
        try:
            page = await work_page(runtime.pool, stores, page_size, clock)
            if page is not None:
                metrics.reevaluated.inc(page.customers)
            metrics.pending.set(await pending_customers(runtime.pool))
        except Exception:  # a failed page is retried from its cursor; the worker lives on
            log.exception("re-evaluation page failed")
            page = None
        if page is None:
            await asyncio.sleep(poll_s)
