"""Wires the Assignment service: the only place its objects are built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI
from redis.asyncio import Redis

from cstatus.assignment.adapters.appointment_rows import AppointmentRows
from cstatus.assignment.adapters.approval_rows import ApprovalRows
from cstatus.assignment.adapters.bulk_jobs import BulkJobs
from cstatus.assignment.adapters.config_store import ConfigStore
from cstatus.assignment.adapters.customer_repository import CustomerRepository
from cstatus.assignment.adapters.customer_rows import CustomerRows
from cstatus.assignment.adapters.deferred_proposals import DeferredProposals
from cstatus.assignment.adapters.postgres_unit_of_work import PostgresUnitOfWork
from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.entrypoints import (
    http,
    http_approvals,
    http_bulk,
    http_directory,
    kafka,
)
from cstatus.assignment.entrypoints.http_deps import Api, Restrictions
from cstatus.assignment.service.assignments import Assignments
from cstatus.assignment.service.pins import run_pin_expiry
from cstatus.assignment.service.refresh import RefreshMetrics, run_refresh
from cstatus.assignment.service.retention import retention_windows
from cstatus.assignment.settings import AssignmentSettings
from cstatus.contracts import topics
from cstatus.platform.db.retention import run_retention
from cstatus.platform.http.body_limit import DEFAULT_BODY_LIMIT
from cstatus.platform.service import ServiceRuntime, connect_redis

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
BULK_BODY_LIMIT = 4 * 1024 * 1024
"""A bulk change names up to 100,000 customer ids."""


def _body_limit(path: str) -> int:
    return BULK_BODY_LIMIT if path.endswith("/bulk-status-changes") else DEFAULT_BODY_LIMIT


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _assignments(settings: AssignmentSettings, redis: Redis) -> Assignments:
    schema = settings.db_schema
    rows, config, appointments = CustomerRows(schema), ConfigStore(), AppointmentRows()
    deferred, approvals = DeferredProposals(), ApprovalRows()
    return Assignments(
        schema,
        unit_of_work=lambda conn: PostgresUnitOfWork(
            conn, rows, config, appointments, deferred, approvals
        ),
        repo=CustomerRepository(),
        config=config,
        approvals=approvals,
        appointments=appointments,
        cache=RestrictionsCache(redis, schema),
        jobs=BulkJobs(schema),
        approval_ttl=timedelta(days=settings.approval_ttl_days),
    )


def create_app(
    settings: AssignmentSettings, *, clock: Callable[[], datetime] = _utc_now
) -> FastAPI:
    redis = connect_redis(settings.redis)
    service = _assignments(settings, redis)
    runtime = ServiceRuntime(
        settings,
        name="assignment",
        schema=settings.db_schema,
        migrations=MIGRATIONS,
        subscriptions=[
            kafka.decisions_subscription(service, clock),
            kafka.subscription(service, clock),
            kafka.bulk_subscription(service, clock),
        ],
        produces=(topics.STATUS_CHANGES, topics.SNAPSHOTS, topics.REJECTIONS, topics.BULK),
        read_pool=True,  # a check's version read
        redis=redis,
    )
    restrictions = Restrictions(runtime, service)
    app = runtime.create_app(
        title="Assignment",
        routers=[http_directory.router, http.router, http_bulk.router, http_approvals.router],
        body_limit=_body_limit,
        lean_routes=[http.check_route(restrictions, clock)],
    )
    app.state.api = Api(runtime, service, restrictions, clock)

    metrics = RefreshMetrics(runtime.registry)

    async def pin_expiry() -> None:
        await run_pin_expiry(
            service, runtime.pool, service.cache, settings.pin_check_interval_s, clock
        )

    async def config_refresh() -> None:
        await run_refresh(
            service,
            runtime.pool,
            service.cache,
            metrics,
            clock,
            applies=settings.tenants.applies,
        )

    async def retention() -> None:
        keep = retention_windows(settings.refs_retention_days, settings.changes_retention_days)
        await run_retention(runtime.pool, runtime.schema, keep)

    runtime.run_in_background("pins", pin_expiry)
    runtime.run_in_background("retention", retention)
    runtime.run_in_background("config-refresh", config_refresh)
    return app
