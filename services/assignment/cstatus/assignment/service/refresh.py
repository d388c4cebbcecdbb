"""Configuration changes reach every customer: a background pass per tenant, page by page.

When a new configuration version of a tenant is stored, a refresh is queued (in the same
transaction). A periodic task works the oldest queued tenant a page of customers at a time, each
page in one transaction through a `CustomerBatch`: a category the customer holds nothing in gets
its default (audited, source `system`), restrictions are recomputed with the new configuration,
the version grows (so cached answers are replaced) and a snapshot is published. The page's end is
stored with it, so a crash resumes where the pass stopped; a newer version starts it again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Gauge

from cstatus.assignment.adapters import refresh_queue
from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.assignments import Assignments

__all__ = ["RefreshMetrics", "queue_refresh", "refresh_page", "run_refresh"]

log = logging.getLogger(__name__)
PAGE = 500
Clock = Callable[[], datetime]


class RefreshMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.refreshed = Counter(
            "cstatus_assignment_refreshed_customers",
            "customers refreshed after a configuration change",
            registry=registry,
        )
        self.pending = Gauge(
            "cstatus_assignment_refresh_pending_tenants",
            "tenants whose customers are not yet all refreshed to their newest configuration",
            registry=registry,
        )


async def queue_refresh(conn: asyncpg.Connection, tenant: str, version: int) -> None:
    """Refresh every customer of `tenant` to `version` (from the start, if a pass was running)."""
    await refresh_queue.queue(conn, tenant, version)


async def refresh_page(
    service: Assignments,
    pool: asyncpg.Pool,
    cache: RestrictionsCache,
    now: datetime,
    *,
    page: int = PAGE,
    applies: Callable[[str], bool] = lambda _tenant: True,
) -> int | None:
    """Refresh the next page of the oldest queued tenant this process serves (`applies`); how
    many customers it refreshed (0 when it finished a pass), None when nothing is queued."""
    after = AfterCommit()
    async with pool.acquire() as conn, conn.transaction():
        job = await refresh_queue.take(conn, applies)
        if job is None:
            return None
        ids = await refresh_queue.customers_after(conn, job.tenant, job.after_customer, page)
        if not ids:
            await refresh_queue.finish(conn, job.tenant)
            log.info(
                "configuration refresh tenant=%s version=%s done: %s customers",
                job.tenant,
                job.version,
                job.done,
            )
            return 0
        batch = service.batch(conn, now, after)
        await batch.open([(job.tenant, c) for c in ids])
        for customer in ids:
            await batch.refresh(job.tenant, customer)
        await batch.commit()
        await refresh_queue.advance(conn, job.tenant, ids[-1], len(ids))
    await after.flush(cache)
    log.info(
        "configuration refresh tenant=%s version=%s %d customers",
        job.tenant,
        job.version,
        job.done + len(ids),
    )
    return len(ids)


async def run_refresh(
    service: Assignments,
    pool: asyncpg.Pool,
    cache: RestrictionsCache,
    metrics: RefreshMetrics,
    clock: Clock,
    *,
    idle_s: float = 0.5,
    applies: Callable[[str], bool] = lambda _tenant: True,
) -> None:
    """Until cancelled: refresh pages while any is queued, else look again every `idle_s`."""
    while True:
        try:
            refreshed = await refresh_page(service, pool, cache, clock(), applies=applies)
            metrics.refreshed.inc(refreshed or 0)
            metrics.pending.set(await refresh_queue.pending(pool))
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("configuration refresh interrupted: %r", error)
            refreshed = None
        if refreshed is None:
            await asyncio.sleep(idle_s)
