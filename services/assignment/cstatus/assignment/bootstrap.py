"""Wires the Assignment service: the only place its objects are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cstatus.assignment.entrypoints import kafka
from cstatus.assignment.settings import AssignmentSettings
from cstatus.platform.service import ServiceRuntime

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "assignment"


def create_app(settings: AssignmentSettings) -> FastAPI:
    runtime = ServiceRuntime(
        settings,
        name="assignment",
        schema=SCHEMA,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription()],
    )
    return runtime.create_app(title="Assignment")
