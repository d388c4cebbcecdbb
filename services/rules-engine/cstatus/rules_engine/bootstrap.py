"""Wires the Rules engine service: the only place its objects are built."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.entrypoints import http, kafka, timer
from cstatus.rules_engine.settings import RulesEngineSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: RulesEngineSettings, *, clock: Callable[[], datetime] = _utc_now
) -> FastAPI:
    runtime = ServiceRuntime(
        settings,
        name="rules-engine",
        schema=settings.db_schema,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription(clock)],
    )
    app = runtime.create_app(title="Rules engine", routers=[http.router(runtime, clock)])
    if settings.sweep_at is None:
        return app
    sweep_at = settings.sweep_at
    serve = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with serve(app):
            task = asyncio.create_task(timer.run_daily(runtime, sweep_at, clock), name="sweep")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app.router.lifespan_context = lifespan
    return app
