"""Wires the Rules engine service: the only place its objects are built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from cstatus.contracts import topics
from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.adapters.ingest_store import PostgresIngestStore
from cstatus.rules_engine.adapters.metrics import ReevaluationMetrics
from cstatus.rules_engine.entrypoints import http, http_previews, kafka, reevaluation_worker, timer
from cstatus.rules_engine.service.activity_retention import ActivityRetention
from cstatus.rules_engine.service.preview import Parallel
from cstatus.rules_engine.service.unit_of_work import IngestStore
from cstatus.rules_engine.settings import RulesEngineSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: RulesEngineSettings, *, clock: Callable[[], datetime] = _utc_now
) -> FastAPI:
    schema = settings.db_schema

    def stores(conn: asyncpg.Connection) -> IngestStore:
        return PostgresIngestStore(conn, schema)

    runtime = ServiceRuntime(
        settings,
        name="rules-engine",
        schema=settings.db_schema,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription(settings, clock, stores)],
        produces=(topics.PROPOSALS, topics.OUTLIERS, topics.STATUS_CHANGES),
    )
    app = runtime.create_app(
        title="Rules engine",
        routers=[http.router, http_previews.router],
    )
    app.state.clock = clock
    app.state.stores = stores
    app.state.parallel = Parallel(
        settings.postgres.dsn,
        settings.db_schema,
        settings.preview_processes,
        settings.preview_split_at,
    )
    metrics = ReevaluationMetrics(runtime.registry)
    runtime.run_in_background(
        "reevaluations",
        lambda: reevaluation_worker.run(
            runtime,
            metrics,
            page_size=settings.reevaluation_page,
            poll_s=settings.reevaluation_poll_s,
            clock=clock,
            stores=stores,
        ),
    )
    retention = ActivityRetention(
        lambda: runtime.pool,
        runtime.registry,
        keep_days=settings.activity_retention_days,
        every_s=settings.activity_retention_every_h * 3600,
        clock=clock,
        duty=settings.activity_retention_duty,
    )
    runtime.run_in_background("activity-retention", retention.run)
    sweep_at = settings.sweep_at
    if sweep_at is not None:
        runtime.run_in_background(
            "sweep", lambda: timer.run_daily(runtime, sweep_at, clock, stores)
        )
    return app
