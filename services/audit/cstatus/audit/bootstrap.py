"""Wires the Audit service: the only place its objects are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cstatus.audit.entrypoints import kafka
from cstatus.audit.settings import AuditSettings
from cstatus.platform.service import ServiceRuntime

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "audit"


def create_app(settings: AuditSettings) -> FastAPI:
    runtime = ServiceRuntime(
        settings,
        name="audit",
        schema=SCHEMA,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription()],
    )
    return runtime.create_app(title="Audit")
