"""Re-evaluation after a configuration change: the changed categories of a tenant, for all of its
customers, a page at a time, each page in its own transaction.

The consuming transaction only records a job per changed category (`record_jobs`); a worker
works the jobs. Each page locks its job row, evaluates the next customers after the job's cursor
with the tenant's current rules for that category, and moves the cursor in the same transaction,
so a crash resumes at the last page done and never proposes twice (outstanding proposals are not
repeated). A newer configuration changing the same category restarts its job from the start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from cstatus.rules_engine.adapters.activity_store import customers_of
from cstatus.rules_engine.adapters.reevaluations import advance, claim_next, count_customers
from cstatus.rules_engine.adapters.views import load_rules
from cstatus.rules_engine.service.decide import decide
from cstatus.rules_engine.service.unit_of_work import DecisionStores

__all__ = ["Page", "work_page"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Page:
    tenant: str
    category: str
    customers: int
    done: int
    total: int
    proposed: int
    finished: bool


async def work_page(
    pool: asyncpg.Pool, stores: DecisionStores, size: int, clock: Callable[[], datetime]
) -> Page | None:
    """Work one page of the next pending job; None when no job is pending."""
    async with pool.acquire() as conn, conn.transaction():
        job = await claim_next(conn)
        if job is None:
            return None
        total = job.total if job.total is not None else await count_customers(conn, job.tenant)
        rules = (await load_rules(conn, [job.tenant])).get(job.tenant)
        only = rules.only(job.category) if rules is not None else None
        page = await customers_of(conn, job.tenant, job.cursor, size) if only else []
        proposed = await decide(stores(conn), job.tenant, only, page, clock()) if only else 0
        done = job.done + len(page)
        total = max(total, done)  # customers first seen since the count
        finished = len(page) < size
        cursor = page[-1] if page else job.cursor
        await advance(
            conn, job, cursor=cursor, total=total, done=done, proposed=proposed, finished=finished
        )
    result = Page(job.tenant, job.category, len(page), done, total, proposed, finished)
    log.info(
        "re-evaluation tenant=%s category=%s %d/%d customers%s",
        result.tenant,
        result.category,
        result.done,
        result.total,
        " (done)" if finished else "",
    )
    return result
