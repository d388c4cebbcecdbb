"""Wires the Rules engine service: the only place its objects are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.entrypoints import kafka
from cstatus.rules_engine.settings import RulesEngineSettings

__all__ = ["create_app"]

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = "rules"


def create_app(settings: RulesEngineSettings) -> FastAPI:
    runtime = ServiceRuntime(
        settings,
        name="rules-engine",
        schema=SCHEMA,
        migrations=MIGRATIONS,
        subscriptions=[kafka.subscription()],
    )
    return runtime.create_app(title="Rules engine")
