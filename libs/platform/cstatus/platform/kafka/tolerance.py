"""What the tolerant reader let through (SPEC §2 v2), counted for operators.

A consumed event may carry `data` fields this version does not know (a producer added them) or
a `type` it does not know at all (a producer newer than us): neither is a reason to
dead-letter. They are counted here — per process, exported by every service's `/metrics` — and
an unknown type is logged once, so an operator sees a producer moving ahead of us.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

__all__ = ["ToleranceCollector", "ignored_fields", "skipped_type"]

log = logging.getLogger(__name__)

_IGNORED: Counter[tuple[str, str]] = Counter()
_SKIPPED: Counter[tuple[str, str]] = Counter()


def ignored_fields(event_type: str, fields: tuple[str, ...]) -> None:
    for name in fields:
        _IGNORED[(event_type, name)] += 1


def skipped_type(topic: str, event_type: str) -> None:
    if (topic, event_type) not in _SKIPPED:
        log.warning(
            "skipping events of type %r on %s: this version does not know it (counted in "
            "cstatus_events_unknown_type_total)",
            event_type,
            topic,
        )
    _SKIPPED[(topic, event_type)] += 1


class ToleranceCollector(Collector):
    """Exports the two counters into a service's registry."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        fields = CounterMetricFamily(
            "cstatus_event_fields_ignored",
            "data fields of consumed events that this version does not know (ignored)",
            labels=["type", "field"],
        )
        for (event_type, name), count in sorted(_IGNORED.items()):
            fields.add_metric([event_type, name], count)
        yield fields
        types = CounterMetricFamily(
            "cstatus_events_unknown_type",
            "consumed events of a type this version does not know (acknowledged, skipped)",
            labels=["topic", "type"],
        )
        for (topic, event_type), count in sorted(_SKIPPED.items()):
            types.add_metric([topic, event_type], count)
        yield types
