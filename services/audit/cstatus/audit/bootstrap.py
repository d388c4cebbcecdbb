"""Wires the Audit service: the only place its objects are built."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from cstatus.audit.adapters.log_store import PostgresAuditLog
from cstatus.audit.entrypoints import http, kafka
from cstatus.audit.service.queries import LogQueries
from cstatus.audit.settings import AuditSettings
from cstatus.platform.service import ServiceRuntime

__all__ = ["SCHEMA", "create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "audit"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def create_app(
    settings: AuditSettings, *, schema: str = SCHEMA, clock: Callable[[], datetime] = _utc_now
) -> FastAPI:
    """The service's app; tests pass a `schema` of their own to start from an empty log."""
    runtime = ServiceRuntime(
        settings,
        name="audit",
        schema=schema,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription(PostgresAuditLog)],
        produces=(),
    )
    app = runtime.create_app(title="Audit", routers=[http.router])
    app.state.queries = LogQueries(lambda: runtime.pool)
    app.state.clock = clock
    return app
