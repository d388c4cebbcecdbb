"""A service's HTTP app: its routers, health, metrics, the AsyncAPI document and problem+json
errors, with the runtime started and stopped by the app's lifespan."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI

from cstatus.platform.http.asyncapi import asyncapi_document
from cstatus.platform.http.body_limit import BodyLimit
from cstatus.platform.http.health import health_router
from cstatus.platform.http.lean_route import LeanRoute, LeanRoutes
from cstatus.platform.http.problem import document_problems, install_problem_handlers
from cstatus.platform.http.trace_context import TraceContext
from cstatus.platform.ops_metrics import RequestTimer
from cstatus.platform.telemetry import configure_logging, configure_tracing

if TYPE_CHECKING:
    from cstatus.platform.service import ServiceRuntime

__all__ = ["service_app"]


def service_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    routers: Sequence[APIRouter],
    body_limit: Callable[[str], int],
    lean_routes: Sequence[LeanRoute],
    checks: dict[str, Callable[[], Awaitable[object]]],
    receives: Sequence[str],
) -> FastAPI:
    """Request bodies over `body_limit(path)` bytes are refused (413) before anything reads them;
    `lean_routes` serve the plain case of a hot endpoint that a router also declares
    (`cstatus.platform.http.lean_route`); `checks` are the readiness probes by dependency."""

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        configure_logging(runtime.settings.telemetry, service=runtime.name)
        configure_tracing(runtime.settings.telemetry, service=runtime.name)
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, lifespan=lifespan)
    install_problem_handlers(app)
    app.include_router(health_router(checks, runtime.registry))
    document = asyncapi_document(
        title=title, version=app.version, receives=list(receives), sends=runtime.produces
    )

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> dict[str, Any]:
        """The topics this service consumes and publishes, and their messages."""
        return document

    for router in routers:
        app.include_router(router)
    document_problems(app)
    app.state.runtime = runtime
    if lean_routes:  # innermost of ours: the trace context, timer and body limit apply
        app.add_middleware(LeanRoutes, routes=tuple(lean_routes), auth=runtime.authenticate)
    app.add_middleware(TraceContext)
    app.add_middleware(RequestTimer, registry=runtime.registry)
    app.add_middleware(BodyLimit, limit_for=body_limit)  # outermost: before auth and parsing
    return app
