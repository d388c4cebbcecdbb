"""A consumed batch joins the traces its producers started.

CloudEvents carry the W3C trace context in their `traceparent` (and `tracestate`) attribute —
in the JSON of a structured-mode event, in `ce_traceparent` of a binary-mode one. A batch of
events of many traces is processed in one transaction, so its span cannot have them all as
parents: it links to each (the OpenTelemetry way for batch consumers), and a trace backend shows
the batch in every producer's trace.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Link, Span
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = ["batch_span", "links_of"]

_PROPAGATOR = TraceContextTextMapPropagator()
_MAX_LINKS = 128


def links_of(events: Sequence[Any]) -> list[Link]:
    """One link per distinct valid `traceparent` among the events (at most 128)."""
    links: list[Link] = []
    seen: set[str] = set()
    for event in events:
        parent = getattr(event, "traceparent", None)
        if not parent or parent in seen or len(links) >= _MAX_LINKS:
            continue
        seen.add(parent)
        carrier = {"traceparent": parent}
        if getattr(event, "tracestate", None):
            carrier["tracestate"] = event.tracestate
        context = trace.get_current_span(_PROPAGATOR.extract(carrier)).get_span_context()
        if context.is_valid:
            links.append(Link(context))
    return links


@contextlib.contextmanager
def batch_span(name: str, events: Sequence[Any]) -> Iterator[Span]:
    """A span around processing `events`, linked to the trace of each."""
    tracer = trace.get_tracer("cstatus.platform")
    with tracer.start_as_current_span(name, links=links_of(events)) as span:
        span.set_attribute("messaging.batch.message_count", len(events))
        yield span
