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


async def queue_refresh(conn: asyncpg.Connection, schema: str, tenant: str, version: int) -> None:
    """Refresh every customer of `tenant` to `version` (from the start, if a pass was running)."""
    await conn.execute(
        f"INSERT INTO {schema}.config_refresh AS r (tenant, version) VALUES ($1, $2)"
        " ON CONFLICT (tenant) DO UPDATE SET version = EXCLUDED.version, after_customer = '',"
        " done = 0, created_at = now() WHERE r.version < EXCLUDED.version",
        tenant,
        version,
    )


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
    s = service.schema
    after = AfterCommit()
    async with pool.acquire() as conn, conn.transaction():
        queued = await conn.fetch(
            f"SELECT tenant FROM {s}.config_refresh ORDER BY created_at LIMIT 1000"
        )
        mine = [r["tenant"] for r in queued if applies(r["tenant"])]
        job = None
        for tenant in mine:  # another replica may be working the first one
            job = await conn.fetchrow(
                f"SELECT tenant, version, after_customer, done FROM {s}.config_refresh"
                " WHERE tenant = $1 FOR UPDATE SKIP LOCKED",
                tenant,
            )
            if job is not None:
                break
        if job is None:
            return None
        tenant = job["tenant"]
        ids = [
            r["customer_id"]
            for r in await conn.fetch(
                f"SELECT customer_id FROM {s}.customers WHERE tenant = $1 AND customer_id > $2"
                " ORDER BY customer_id LIMIT $3",
                tenant,
                job["after_customer"],
                page,
            )
        ]
        if not ids:
            await conn.execute(f"DELETE FROM {s}.config_refresh WHERE tenant = $1", tenant)
            log.info(
                "configuration refresh tenant=%s version=%s done: %s customers",
                tenant,
                job["version"],
                job["done"],
            )
            return 0
        batch = service.batch(conn, now, after)
        await batch.open([(tenant, c) for c in ids])
        for customer in ids:
            await batch.refresh(tenant, customer)
        await batch.commit()
        await conn.execute(
            f"UPDATE {s}.config_refresh SET after_customer = $2, done = done + $3"
            " WHERE tenant = $1",
            tenant,
            ids[-1],
            len(ids),
        )
    await after.flush(cache)
    log.info(
        "configuration refresh tenant=%s version=%s %d customers",
        tenant,
        job["version"],
        job["done"] + len(ids),
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
            metrics.pending.set(
                await pool.fetchval(f"SELECT count(*) FROM {service.schema}.config_refresh")
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning("configuration refresh interrupted: %r", error)
            refreshed = None
        if refreshed is None:
            await asyncio.sleep(idle_s)
