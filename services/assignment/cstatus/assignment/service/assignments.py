"""The Assignment service's handlers, on the caller's connection and inside its transaction.

Work on customers goes through a `CustomerBatch` (see `service.batch`): every customer it touches
is locked first, gets the defaults of categories it holds nothing in yet, has each request judged
by the domain guards, and the batch writes the holdings, the change log and the outbox messages
(changes, snapshots, rejections) together. A manual change racing an automatic one is serialised
by the customer's row lock and judged against the earlier one's result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

import asyncpg

from cstatus.assignment.adapters.appointment_rows import AppointmentRows
from cstatus.assignment.adapters.approval_rows import ApprovalRows
from cstatus.assignment.adapters.bulk_jobs import BulkJobs
from cstatus.assignment.adapters.config_store import ConfigStore
from cstatus.assignment.adapters.customer_repository import CustomerRepository
from cstatus.assignment.adapters.customer_rows import Key
from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.domain.approvals import APPROVAL_TTL
from cstatus.assignment.domain.decisions import Decision
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.batch import CustomerBatch
from cstatus.assignment.service.unit_of_work import CustomerUnitOfWork

__all__ = ["AfterCommit", "Assignments"]


class Assignments:
    """The handlers, over the stores `bootstrap.py` built: `unit_of_work(conn)` is the batch's
    port on a connection (PostgreSQL in the service, `InMemoryUnitOfWork` in handler tests)."""

    def __init__(
        self,
        schema: str,
        *,
        unit_of_work: Callable[[asyncpg.Connection], CustomerUnitOfWork],
        repo: CustomerRepository,
        config: ConfigStore,
        approvals: ApprovalRows,
        appointments: AppointmentRows,
        cache: RestrictionsCache,
        jobs: BulkJobs,
        approval_ttl: timedelta = APPROVAL_TTL,
    ) -> None:
        self.schema = schema
        self.approval_ttl = approval_ttl
        self.unit_of_work = unit_of_work
        self.approvals = approvals
        self.repo = repo
        self.config = config
        self.appointments = appointments
        self.cache = cache
        """Redis: each customer's restrictions, written after the commit that computed them."""
        self.jobs = jobs

    def batch(self, conn: asyncpg.Connection, now: datetime, after: AfterCommit) -> CustomerBatch:
        """A batch on `conn` that has locked no one yet (see `CustomerBatch.open`)."""
        return CustomerBatch(self.unit_of_work(conn), now, after, approval_ttl=self.approval_ttl)

    async def begin(
        self,
        conn: asyncpg.Connection,
        customers: Iterable[Key],
        now: datetime,
        after: AfterCommit,
        *,
        refs: Iterable[Key] = (),
    ) -> CustomerBatch:
        """A batch with `customers` locked and the outcomes of `refs` (tenant, ref id) read."""
        batch = self.batch(conn, now, after)
        await batch.open(customers, refs)
        return batch

    async def change(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        request: ChangeRequest,
        now: datetime,
        after: AfterCommit,
        *,
        publish_rejection: bool,
    ) -> Decision:
        """Judge and apply one change request (a batch of one), once per `request.ref_id`."""
        batch = await self.begin(
            conn, [(tenant, customer)], now, after, refs=[(tenant, request.ref_id)]
        )
        decision = await batch.change(
            tenant, customer, request, publish_rejection=publish_rejection
        )
        await batch.commit()
        return decision

    async def unpin(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        category_code: str,
        now: datetime,
        after: AfterCommit,
        *,
        actor: str,
        reason: str | None,
    ) -> Decision:
        """Resume automation in a category pinned by hand."""
        batch = await self.begin(conn, [(tenant, customer)], now, after)
        decision = await batch.unpin(tenant, customer, category_code, actor, reason)
        await batch.commit()
        return decision

    async def expire_pin(
        self,
        conn: asyncpg.Connection,
        tenant: str,
        customer: str,
        category_code: str,
        now: datetime,
        after: AfterCommit,
    ) -> Decision:
        """Clear a pin whose `until` has passed, so automation resumes."""
        batch = await self.begin(conn, [(tenant, customer)], now, after)
        decision = await batch.expire_pin(tenant, customer, category_code)
        await batch.commit()
        return decision
