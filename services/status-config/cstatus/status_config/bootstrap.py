"""Wires the Status configuration service: the only place its objects are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cstatus.platform.service import ServiceRuntime
from cstatus.status_config.settings import StatusConfigSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "status_config"


def create_app(settings: StatusConfigSettings) -> FastAPI:
    runtime = ServiceRuntime(
        settings,
        name="status-config",
        schema=SCHEMA,
        migrations=MIGRATIONS,
        subscriptions=[],
    )
    return runtime.create_app(title="Status configuration")
