"""Each service runs as its own process: health, readiness, metrics and OpenAPI."""

from __future__ import annotations

import httpx
import pytest
from support import metrics_of

pytestmark = pytest.mark.e2e

CONSUMING = {"assignment", "rules-engine", "audit"}


@pytest.mark.parametrize("name", ["status-config", "assignment", "rules-engine", "audit"])
async def test_service_is_live_ready_and_measured(services: dict[str, str], name: str) -> None:
    base = services[name]
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{base}/health/live")).json() == {"status": "live"}
        ready = (await http.get(f"{base}/health/ready")).json()
        assert ready == {
            "status": "ready",
            "checks": {"postgres": "up", "redis": "up", "kafka": "up"},
        }
        if name in CONSUMING:  # in one of its processes: assignment's API process joins no group
            assert "cstatus_consumer_lag" in await metrics_of(http, name, base)
        assert (await http.get(f"{base}/openapi.json")).json()["info"]["title"]


def test_unknown_route_is_problem_json(services: dict[str, str]) -> None:
    response = httpx.get(f"{services['assignment']}/v1/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
