"""The four services as separate processes (started by `deploy/local/services.sh up` if needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

# The scenarios share `support.py` and `tenants.py` beside this file; tests are imported with
# importlib, so this folder is not on the path by itself.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import Platform, open_platform  # noqa: E402
from tenants import Tenant, provision  # noqa: E402

SKIPPED_TENANTS = "rel-,as-,re-,au-,nk-,tr-"
SERVICES = {"status-config": 8081, "assignment": 8082, "rules-engine": 8083, "audit": 8084}


def _all_ready() -> bool:
    try:
        return all(
            httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200
            for port in SERVICES.values()
        )
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="session")
def services(stack: object) -> Iterator[dict[str, str]]:
    """The running services; started here (and stopped after the session) when not running."""
    script = str(ROOT / "deploy/local/services.sh")
    started = not _all_ready()
    if started:
        # The e2e services skip (by key, cheaply) what the in-process tests and the reliability
        # suite published on the shared topics, so a broker reused across runs does not make them
        # read through a long history of other tenants first.
        env = {**os.environ, "CSTATUS_KAFKA_TENANT_EXCLUDE": SKIPPED_TENANTS}
        subprocess.run(["bash", script, "up"], check=True, env=env)
    yield {name: f"http://127.0.0.1:{port}" for name, port in SERVICES.items()}
    if started:
        subprocess.run(["bash", script, "down"], check=False)


@pytest.fixture(scope="session")
async def platform(services: dict[str, str], stack: Any) -> AsyncIterator[Platform]:
    """HTTP client, Kafka producer and a reader of the watched output topics, for the session."""
    async with open_platform(services, stack.kafka_bootstrap) as opened:
        yield opened


@pytest.fixture
async def tenant(platform: Platform) -> Tenant:
    """A fresh tenant `e2e-…` with the default categories, known to the services."""
    return await provision(platform)
