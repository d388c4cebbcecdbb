"""The activity retention: per tenant, activity beyond what its rules can see is pruned, a page
of customers per transaction, in the background (`CSTATUS_RULES_ENGINE_ACTIVITY_RETENTION_DAYS`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg
from prometheus_client import CollectorRegistry, Counter

from cstatus.rules_engine.adapters.activity_retention import customers_after, prune_activity
from cstatus.rules_engine.adapters.views import load_rules
from cstatus.rules_engine.domain.retention import activity_horizon

__all__ = ["ActivityRetention"]

log = logging.getLogger(__name__)


class ActivityRetention:
    def __init__(
        self,
        pool: Callable[[], asyncpg.Pool],
        registry: CollectorRegistry,
        *,
        keep_days: int,
        every_s: float,
        clock: Callable[[], datetime],
        page: int = 1_000,
    ) -> None:
        self._pool, self._keep_days, self._every_s = pool, keep_days, every_s
        self._clock, self._page = clock, page
        self.pruned = Counter(
            "cstatus_rules_activity_pruned",
            "activity rows pruned because no rule of their tenant can see them any more",
            ["tenant"],
            registry=registry,
        )

    async def prune_tenant(self, tenant: str) -> int | None:
        """Prune one tenant now; the rows deleted, or None when its rules see everything."""
        pool = self._pool()
        async with pool.acquire() as conn:
            rules = (await load_rules(conn, [tenant])).get(tenant)
        horizon = activity_horizon(rules, self._keep_days) if rules is not None else None
        if horizon is None:
            return None
        before = self._clock() - horizon
        deleted, last = 0, ""
        while True:
            async with pool.acquire() as conn, conn.transaction():
                customers = await customers_after(conn, tenant, last, self._page)
                if not customers:
                    break
                deleted += await prune_activity(conn, tenant, customers, before)
            last = customers[-1]
        self.pruned.labels(tenant).inc(deleted)
        return deleted

    async def prune_all(self) -> None:
        tenants = [r["tenant"] for r in await self._pool().fetch("SELECT tenant FROM configs")]
        for tenant in tenants:
            deleted = await self.prune_tenant(tenant)
            if deleted is None:
                log.info(
                    "activity retention tenant=%s: a rule counts without a window, all kept", tenant
                )
            elif deleted:
                log.info(
                    "activity retention tenant=%s: %d rows no rule can see pruned", tenant, deleted
                )

    async def run(self, *, first_after_s: float = 1_800.0) -> None:
        """Prune every `every_s`, the first time half an hour after start (not in the rush of a
        restart, nor under a load test that just began)."""
        await asyncio.sleep(min(first_after_s, self._every_s))
        while True:
            try:
                await self.prune_all()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database outage: the next round tries again
                log.warning("activity retention interrupted: %r", error)
            await asyncio.sleep(self._every_s)
