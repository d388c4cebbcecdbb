"""The W3C trace context of HTTP requests: a request carrying `traceparent` (or any request,
when tracing is on) is served inside a SERVER span, so the events it publishes — a manual
change, a configuration — continue the caller's trace (`cstatus.platform.tracing`)."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.trace import SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from cstatus.platform.tracing import recording

__all__ = ["TraceContext"]

_PROPAGATOR = TraceContextTextMapPropagator()


class TraceContext:
    def __init__(self, app: Any) -> None:
        self._app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {
            k.decode("latin-1"): v.decode("latin-1")
            for k, v in scope.get("headers", ())
            if k in (b"traceparent", b"tracestate")
        }
        if not headers and not recording():
            await self._app(scope, receive, send)
            return
        parent = _PROPAGATOR.extract(headers) if headers else None
        tracer = trace.get_tracer("cstatus.platform.http")
        name = f"{scope['method']} {scope.get('path', '')}"
        with tracer.start_as_current_span(name, context=parent, kind=SpanKind.SERVER) as span:
            span.set_attribute("http.request.method", scope["method"])
            await self._app(scope, receive, send)
            route = getattr(scope.get("route"), "path", None)
            if route:
                span.update_name(f"{scope['method']} {route}")
                span.set_attribute("http.route", route)
