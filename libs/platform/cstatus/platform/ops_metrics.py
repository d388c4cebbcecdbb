"""The metrics an operator's alerts read (deploy/prometheus/alerts.yaml, docs/operations.md).

- `cstatus_dead_letters_total{group,topic,reason}`: records a consumer group dead-lettered.
- `cstatus_outbox_rows`, `cstatus_outbox_oldest_age_seconds`, `cstatus_outbox_parked_rows`: the
  outbox's backlog, how long its oldest row has waited (a relay that cannot publish shows here
  first) and the messages the broker refused for good; measured every 15 s by `OutboxMonitor`.
- `cstatus_http_request_duration_seconds{method,route,status}`: every HTTP request by its route
  template (`/v1/checks`, not one series per customer), from a pure ASGI middleware.
- `cstatus_gc_pause_seconds{generation}`: how long each garbage collection stopped the process
  (every coroutine waits meanwhile: a latency figure's tail can come from here).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar

import asyncpg
from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

__all__ = [
    "DeadLetterCollector",
    "GcPauses",
    "OutboxMonitor",
    "RequestTimer",
    "dead_lettered",
]

log = logging.getLogger(__name__)
_DEAD: Counter[tuple[str, str, str]] = Counter()


def dead_lettered(group: str, topic: str, error: BaseException) -> None:
    _DEAD[(group, topic, type(error).__name__)] += 1


class DeadLetterCollector(Collector):
    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "cstatus_dead_letters",
            "records a consumer group moved to a dead-letter topic, by the error's type",
            labels=["group", "topic", "reason"],
        )
        for (group, topic, reason), count in sorted(_DEAD.items()):
            family.add_metric([group, topic, reason], count)
        yield family


class GcPauses(Collector):
    """Times every garbage collection of this process (one hook per process, however many
    registries collect it) and exposes the pauses as a histogram."""

    BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, float("inf"))
    _counts: ClassVar[dict[int, list[int]]] = {}
    _sums: ClassVar[dict[int, float]] = {}
    _started = 0.0

    def __init__(self) -> None:
        if GcPauses._on_gc not in gc.callbacks:
            gc.callbacks.append(GcPauses._on_gc)

    @staticmethod
    def _on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            GcPauses._started = time.perf_counter()
            return
        elapsed = time.perf_counter() - GcPauses._started
        generation = info["generation"]
        counts = GcPauses._counts.setdefault(generation, [0] * len(GcPauses.BUCKETS))
        for index, bound in enumerate(GcPauses.BUCKETS):
            if elapsed <= bound:
                counts[index] += 1
        GcPauses._sums[generation] = GcPauses._sums.get(generation, 0.0) + elapsed

    def collect(self) -> Iterator[HistogramMetricFamily]:
        family = HistogramMetricFamily(
            "cstatus_gc_pause_seconds",
            "time each garbage collection stopped the process, by generation",
            labels=["generation"],
        )
        for generation, counts in sorted(GcPauses._counts.items()):
            buckets = [
                ("+Inf" if b == float("inf") else str(b), c)
                for b, c in zip(GcPauses.BUCKETS, counts, strict=True)
            ]
            family.add_metric([str(generation)], buckets, GcPauses._sums[generation])
        yield family


class OutboxMonitor:
    """Measures a schema's outbox every `interval_s` into three gauges."""

    def __init__(
        self, schema: str, registry: CollectorRegistry, *, interval_s: float = 15.0
    ) -> None:
        self._schema, self._interval_s = schema, interval_s
        self.rows = Gauge("cstatus_outbox_rows", "outbox rows not yet published", registry=registry)
        self.age = Gauge(
            "cstatus_outbox_oldest_age_seconds",
            "how long the oldest unpublished outbox row has waited (0 when empty)",
            registry=registry,
        )
        self.parked = Gauge(
            "cstatus_outbox_parked_rows",
            "outbox messages the broker refused for good, kept in outbox_parked",
            registry=registry,
        )

    async def measure(self, pool: asyncpg.Pool) -> None:
        s = self._schema
        row = await pool.fetchrow(
            f"SELECT (SELECT count(*) FROM {s}.outbox) AS rows,"
            f" (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM {s}.outbox)"
            f" AS age, (SELECT count(*) FROM {s}.outbox_parked) AS parked"
        )
        assert row is not None
        self.rows.set(row["rows"])
        self.age.set(float(row["age"]))
        self.parked.set(row["parked"])

    async def run(self, pool: asyncpg.Pool) -> None:
        while True:
            try:
                await self.measure(pool)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database outage: measured again next time
                log.debug("outbox not measured: %r", error)
            await asyncio.sleep(self._interval_s)


class RequestTimer:
    """ASGI middleware: the duration of every HTTP request by method, route template and status."""

    def __init__(self, app: Any, *, registry: CollectorRegistry) -> None:
        self._app = app
        self._histogram = Histogram(
            "cstatus_http_request_duration_seconds",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0),
            registry=registry,
        )

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def timed_send(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, timed_send)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self._histogram.labels(scope["method"], template, str(status)).observe(
                time.perf_counter() - started
            )
