"""An event's `traceparent` joins the trace (the review found it was accepted but used for
nothing): the span of the batch that processes it links to the producer's span."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from cstatus.contracts.envelope import new_event
from cstatus.contracts.reservations import ReservationCancelled
from cstatus.platform import tracing

pytestmark = pytest.mark.unit

TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT = f"00-{TRACE}-b7ad6b7169203331-01"


def test_the_batch_span_links_to_each_producers_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing.trace, "get_tracer", lambda name: provider.get_tracer(name))
    monkeypatch.setattr(tracing.trace, "get_tracer_provider", lambda: provider)

    events = [
        new_event(
            ReservationCancelled(reservation_id=f"r-{n}"),
            id=f"e-{n}",
            source="pos",
            tenant="acme",
            subject="c-1",
            time=datetime.now(UTC),
            traceparent=parent,
        )
        for n, parent in enumerate([PARENT, PARENT, None, "00-garbage"])
    ]
    with tracing.batch_span("rules-engine batch", events):
        pass
    (span,) = exporter.get_finished_spans()
    assert [format(link.context.trace_id, "032x") for link in span.links] == [TRACE]
    assert span.attributes["messaging.batch.message_count"] == 4


def _event(traceparent: str | None) -> object:
    return new_event(
        ReservationCancelled(reservation_id="r-1"),
        id="e-1",
        source="pos",
        tenant="acme",
        subject="c-1",
        time=datetime.now(UTC),
        traceparent=traceparent,
    )


def test_with_tracing_off_an_events_trace_is_passed_on_unchanged() -> None:
    with tracing.consuming(_event(PARENT), "assignment apply"):
        assert tracing.current_traceparent() == PARENT
    assert tracing.producing("rules-engine propose", PARENT) == PARENT
    with tracing.consuming(_event(None), "assignment apply"):
        assert tracing.current_traceparent() is None


def test_with_tracing_on_each_step_is_a_child_of_the_one_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing.trace, "get_tracer", lambda name: provider.get_tracer(name))
    monkeypatch.setattr(tracing.trace, "get_tracer_provider", lambda: provider)

    proposal = tracing.producing("rules-engine propose", PARENT, topic="proposals")
    assert proposal is not None and proposal.split("-")[1] == TRACE
    with tracing.consuming(_event(proposal), "assignment apply", topic="proposals"):
        change = tracing.current_traceparent()
    with tracing.processing([_event(change)], "audit record", lambda _: "changes"):
        pass
    propose, apply, record = exporter.get_finished_spans()
    assert format(propose.parent.span_id, "016x") == PARENT.split("-")[2]
    assert apply.parent.span_id == propose.context.span_id
    assert record.parent.span_id == apply.context.span_id
    assert {s.context.trace_id for s in (propose, apply, record)} == {int(TRACE, 16)}
    assert record.attributes["messaging.destination.name"] == "changes"
