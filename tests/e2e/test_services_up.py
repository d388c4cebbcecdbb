"""Each service runs as its own process: health, readiness, metrics and OpenAPI."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from support import EXTRA_PROCESSES

pytestmark = pytest.mark.e2e

CONSUMING = {"assignment", "rules-engine", "audit"}


def _metrics_of_processes(name: str, base: str) -> list[str]:
    texts = [httpx.get(f"{base}/metrics").text]
    for extra in EXTRA_PROCESSES.get(name, ()):
        with contextlib.suppress(httpx.HTTPError):  # not there: one process per service
            texts.append(httpx.get(f"{extra}/metrics", timeout=2).text)
    return texts


@pytest.mark.parametrize("name", ["status-config", "assignment", "rules-engine", "audit"])
def test_service_is_live_ready_and_measured(services: dict[str, str], name: str) -> None:
    base = services[name]
    assert httpx.get(f"{base}/health/live").json() == {"status": "live"}
    ready = httpx.get(f"{base}/health/ready").json()
    assert ready == {"status": "ready", "checks": {"postgres": "up", "redis": "up", "kafka": "up"}}
    if name in CONSUMING:  # in one of its processes: assignment's API process joins no group
        assert any("cstatus_consumer_lag" in text for text in _metrics_of_processes(name, base))
    assert httpx.get(f"{base}/openapi.json").json()["info"]["title"]


def test_unknown_route_is_problem_json(services: dict[str, str]) -> None:
    response = httpx.get(f"{services['assignment']}/v1/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
