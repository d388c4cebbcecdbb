"""Wires the Assignment service: the only place its objects are built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from cstatus.assignment.adapters.restrictions_cache import RestrictionsCache
from cstatus.assignment.entrypoints import kafka
from cstatus.assignment.entrypoints.http import Restrictions, check_route, customer_router
from cstatus.assignment.entrypoints.http_approvals import approvals_router
from cstatus.assignment.entrypoints.http_bulk import bulk_router
from cstatus.assignment.entrypoints.http_directory import directory_router
from cstatus.assignment.service.assignments import Assignments
from cstatus.assignment.service.pins import run_pin_expiry
from cstatus.assignment.service.refresh import RefreshMetrics, run_refresh
from cstatus.assignment.service.retention import retention_windows
from cstatus.assignment.settings import AssignmentSettings
from cstatus.contracts import topics
from cstatus.platform.db.retention import run_retention
from cstatus.platform.http.body_limit import DEFAULT_BODY_LIMIT
from cstatus.platform.service import ServiceRuntime

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
BULK_BODY_LIMIT = 4 * 1024 * 1024
"""A bulk change names up to 100,000 customer ids."""


def _body_limit(path: str) -> int:
    return BULK_BODY_LIMIT if path.endswith("/bulk-status-changes") else DEFAULT_BODY_LIMIT


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: AssignmentSettings, *, clock: Callable[[], datetime] = _utc_now
) -> FastAPI:
    service = Assignments(
        settings.db_schema, approval_ttl=timedelta(days=settings.approval_ttl_days)
    )
    runtime = ServiceRuntime(
        settings,
        name="assignment",
        schema=settings.db_schema,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription(service, clock), kafka.bulk_subscription(service, clock)],
        produces=(topics.STATUS_CHANGES, topics.SNAPSHOTS, topics.REJECTIONS, topics.BULK),
        read_pool=True,  # a check's version read
    )
    restrictions = Restrictions(runtime, service)
    app = runtime.create_app(
        title="Assignment",
        routers=[
            directory_router(runtime, service),
            customer_router(runtime, service, restrictions, clock),
            bulk_router(runtime, service, clock),
            approvals_router(runtime, service, restrictions, clock),
        ],
        body_limit=_body_limit,
        lean_routes=[check_route(restrictions, clock)],
    )

    async def pin_expiry() -> None:
        cache = RestrictionsCache(runtime.redis, runtime.schema)
        await run_pin_expiry(service, runtime.pool, cache, settings.pin_check_interval_s, clock)

    async def config_refresh() -> None:
        cache = RestrictionsCache(runtime.redis, runtime.schema)
        metrics = RefreshMetrics(runtime.registry)
        await run_refresh(
            service,
            runtime.pool,
            cache,
            metrics,
            clock,
            applies=settings.kafka.applies_to,
        )

    async def retention() -> None:
        keep = retention_windows(settings.refs_retention_days, settings.changes_retention_days)
        await run_retention(runtime.pool, runtime.schema, keep)

    runtime.run_in_background("pins", pin_expiry)
    runtime.run_in_background("retention", retention)
    runtime.run_in_background("config-refresh", config_refresh)
    return app
