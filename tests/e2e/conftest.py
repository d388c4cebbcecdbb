"""The four services as separate processes (started by `deploy/local/services.sh up` if needed)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

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
        subprocess.run(["bash", script, "up"], check=True)
    yield {name: f"http://127.0.0.1:{port}" for name, port in SERVICES.items()}
    if started:
        subprocess.run(["bash", script, "down"], check=False)
