"""Wires the Status configuration service: the only place its objects are built."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from cstatus.contracts import topics
from cstatus.platform.service import ServiceRuntime
from cstatus.status_config.adapters.unit_of_work import PostgresUnitOfWork, postgres_unit_of_work
from cstatus.status_config.domain.errors import ConfigError
from cstatus.status_config.domain.icons import MAX_ICON_BYTES
from cstatus.status_config.entrypoints import http as configuration
from cstatus.status_config.entrypoints import http_statuses as statuses
from cstatus.status_config.entrypoints.http_common import Api, on_config_error
from cstatus.status_config.settings import StatusConfigSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "status_config"
MAX_JSON_BYTES = 64 * 1024


def _body_limit(path: str) -> int:
    return MAX_ICON_BYTES if path.endswith("/icon") else MAX_JSON_BYTES


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(settings: StatusConfigSettings, *, schema: str = SCHEMA) -> FastAPI:
    """The service's app; `schema` is only changed by tests that want a schema of their own."""
    runtime = ServiceRuntime(
        settings,
        name="status-config",
        schema=schema,
        migrations=MIGRATIONS,
        subscriptions=[],
        produces=(topics.CONFIG,),
    )

    def unit_of_work() -> contextlib.AbstractAsyncContextManager[PostgresUnitOfWork]:
        return postgres_unit_of_work(runtime.pool, schema)

    app = runtime.create_app(
        title="Status configuration",
        routers=[configuration.router, statuses.router],
        body_limit=_body_limit,
    )
    app.state.api = Api(unit_of_work=unit_of_work, clock=_now, public_url=settings.public_url)
    app.add_exception_handler(ConfigError, on_config_error)
    return app
