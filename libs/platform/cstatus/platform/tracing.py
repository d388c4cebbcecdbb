"""One trace per status change, across the services (SPEC §4 *(v2)*, docs/operations.md).

CloudEvents carry the W3C trace context in their `traceparent` (and `tracestate`) attribute —
in the JSON of a structured-mode event, in `ce_traceparent` of a binary-mode one. Four pieces:

- `batch_span`: a consumed batch's span. A batch of events of many traces is processed in one
  transaction, so its span cannot have them all as parents: it links to each (the OpenTelemetry
  way for batch consumers), and a trace backend shows the batch in every producer's trace.
- `consuming(event, …)`: the span of processing one event that produces others (a proposal
  applied, a change audited): a child of the event's own `traceparent`, made current, so what
  the work publishes continues that trace (`current_traceparent`).
- `processing(events, …)`: one span per traced event of a batch worked set-wise (the audit
  log appends a batch in a few statements), each a child of its event's trace.
- `producing(name, parent, …)`: a span for output decided away from its cause (the rules
  engine decides per customer after the batch): a child of `parent`; returns its traceparent.

With tracing off (no `CSTATUS_OTEL_ENDPOINT`) nothing is recorded and an event's traceparent is
passed on unchanged, so a tracing producer upstream still sees its trace continued downstream.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from opentelemetry import context, trace
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

__all__ = [
    "batch_span",
    "consuming",
    "current_traceparent",
    "links_of",
    "processing",
    "producing",
    "recording",
]

_PROPAGATOR = TraceContextTextMapPropagator()
_MAX_LINKS = 128
_TRACER = "cstatus.platform"


def _context_of(traceparent: str | None, tracestate: str | None = None) -> context.Context | None:
    if not traceparent:
        return None
    carrier = {"traceparent": traceparent}
    if tracestate:
        carrier["tracestate"] = tracestate
    return _PROPAGATOR.extract(carrier)


def recording() -> bool:
    """Whether spans are recorded (a tracer provider is configured: `CSTATUS_OTEL_ENDPOINT`)."""
    return not isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider)


def _messaging(operation: str, topic: str | None, extra: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"messaging.system": "kafka", "messaging.operation.type": operation}
    if topic:
        found["messaging.destination.name"] = topic
    found.update({k: v for k, v in extra.items() if v is not None})
    return found


def links_of(events: Sequence[Any]) -> list[Link]:
    """One link per distinct valid `traceparent` among the events (at most 128)."""
    links: list[Link] = []
    seen: set[str] = set()
    for event in events:
        parent = getattr(event, "traceparent", None)
        if not parent or parent in seen or len(links) >= _MAX_LINKS:
            continue
        seen.add(parent)
        found = _context_of(parent, getattr(event, "tracestate", None))
        span_context = trace.get_current_span(found).get_span_context()
        if span_context.is_valid:
            links.append(Link(span_context))
    return links


@contextlib.contextmanager
def batch_span(name: str, events: Sequence[Any]) -> Iterator[Span]:
    """A span around processing `events`, linked to the trace of each."""
    tracer = trace.get_tracer(_TRACER)
    links = links_of(events) if recording() else []
    with tracer.start_as_current_span(name, links=links, kind=SpanKind.CONSUMER) as span:
        span.set_attribute("messaging.batch.message_count", len(events))
        yield span


@contextlib.contextmanager
def consuming(
    event: Any, name: str, *, topic: str | None = None, **attributes: Any
) -> Iterator[None]:
    """Process `event` as a child span of its own trace (current while the block runs)."""
    parent = _context_of(getattr(event, "traceparent", None), getattr(event, "tracestate", None))
    if parent is None and not recording():
        yield  # nothing to continue, nothing to record
        return
    tracer = trace.get_tracer(_TRACER)
    attrs = _messaging(
        "process", topic, {"messaging.message.id": getattr(event, "id", None), **attributes}
    )
    with tracer.start_as_current_span(
        name, context=parent, kind=SpanKind.CONSUMER, attributes=attrs
    ):
        yield


def current_traceparent() -> str | None:
    """The traceparent of the current span, for an event published now (None outside any)."""
    if not trace.get_current_span().get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def producing(
    name: str, parent: str | None, *, topic: str | None = None, **attributes: Any
) -> str | None:
    """Record a publish span as a child of `parent` (or of the current span) and return the
    traceparent the produced event carries; `parent` itself when tracing is off."""
    if not recording():
        return parent or current_traceparent()
    tracer = trace.get_tracer(_TRACER)
    attrs = _messaging("publish", topic, attributes)
    span = tracer.start_span(
        name, context=_context_of(parent), kind=SpanKind.PRODUCER, attributes=attrs
    )
    span.end()
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent")


@contextlib.contextmanager
def processing(
    events: Sequence[Any], name: str, topic_of: Callable[[Any], str | None]
) -> Iterator[None]:
    """Spans over the block, one per event that carries a traceparent (only when recording)."""
    if not recording():
        yield
        return
    tracer = trace.get_tracer(_TRACER)
    spans = [
        tracer.start_span(
            name,
            context=_context_of(e.traceparent, getattr(e, "tracestate", None)),
            kind=SpanKind.CONSUMER,
            attributes=_messaging("process", topic_of(e), {"messaging.message.id": e.id}),
        )
        for e in events
        if getattr(e, "traceparent", None)
    ]
    try:
        yield
    finally:
        for span in spans:
            span.end()
