"""`/health/live`, `/health/ready` and `/metrics` for every service."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel

__all__ = ["Check", "Readiness", "health_router"]


class Readiness(BaseModel):
    status: Literal["ready", "not_ready"]
    checks: dict[str, str]
    """Per dependency: `up`, or `down: <why>`."""


class Liveness(BaseModel):
    status: Literal["live"]


Check = Callable[[], Awaitable[object]]
"""A readiness probe: returns when the dependency answers, raises otherwise."""


async def _run(check: Check, timeout_s: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout_s)
    except Exception as error:
        return f"down: {type(error).__name__}: {error}"[:300]
    return "up"


def health_router(
    checks: Mapping[str, Check], registry: CollectorRegistry, *, timeout_s: float = 2.0
) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live", response_model=Liveness)
    async def live() -> dict[str, str]:
        return {"status": "live"}

    @router.get(
        "/health/ready",
        response_model=Readiness,
        responses={503: {"model": Readiness, "description": "a dependency is down"}},
    )
    async def ready() -> JSONResponse:
        names = list(checks)
        results = await asyncio.gather(*(_run(checks[n], timeout_s) for n in names))
        detail = dict(zip(names, results, strict=True))
        ok = all(r == "up" for r in results)
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "checks": detail},
            status_code=200 if ok else 503,
        )

    @router.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text"}},
    )
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
