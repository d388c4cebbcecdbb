"""The tolerant reader in the consumer: a type this version does not know is acknowledged,
counted and skipped; unknown data fields are ignored and counted; a known type with invalid data
is still dead-lettered (the review found the first two dead-lettered, every such event)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from prometheus_client import CollectorRegistry

from cstatus.contracts import topics
from cstatus.contracts.examples import example
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.platform.kafka.consumer import Decoded, ReliableBatchConsumer
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.tolerance import ToleranceCollector
from cstatus.platform.kafka.transactional import decode_record

pytestmark = pytest.mark.unit


class Sink:
    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> None:
        self.sent += messages


def _record(offset: int, body: dict[str, Any]) -> ConsumerRecord[bytes, bytes]:
    value = json.dumps(body).encode()
    key = f"{body['tenant']}:{body['subject']}".encode()
    return ConsumerRecord(
        topics.BOOKINGS_RESERVATIONS, 0, offset, 0, 0, key, value, None, len(key), len(value), []
    )


def _metric(registry: CollectorRegistry, name: str, labels: dict[str, str]) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_newer_producers_are_tolerated_and_counted() -> None:
    registry = CollectorRegistry()
    registry.register(ToleranceCollector())
    booked = example("reservation.booked")
    newer_field = {**booked, "data": {**booked["data"], "room_type": "suite"}}
    newer_type = {**booked, "type": "reservation.modified"}
    invalid = {**booked, "data": {"reservation_id": "r-9"}}
    fields_before = _metric(
        registry,
        "cstatus_event_fields_ignored_total",
        {"type": "reservation.booked", "field": "room_type"},
    )
    types_before = _metric(
        registry,
        "cstatus_events_unknown_type_total",
        {"topic": topics.BOOKINGS_RESERVATIONS, "type": "reservation.modified"},
    )
    handled: list[int] = []

    async def handle(batch: Sequence[Decoded[Any]]) -> None:
        handled.extend(d.record.offset for d in batch)

    sink = Sink()
    consume = ReliableBatchConsumer(
        decode=decode_record, handle=handle, dead_letters=DeadLetters(sink, group="g")
    )
    await consume([_record(1, newer_field), _record(2, newer_type), _record(3, invalid)])

    assert handled == [1]
    assert [dict(m.headers)["x-dlq-original-offset"] for m in sink.sent] == [b"3"]
    assert (
        _metric(
            registry,
            "cstatus_event_fields_ignored_total",
            {"type": "reservation.booked", "field": "room_type"},
        )
        == fields_before + 1
    )
    assert (
        _metric(
            registry,
            "cstatus_events_unknown_type_total",
            {"topic": topics.BOOKINGS_RESERVATIONS, "type": "reservation.modified"},
        )
        == types_before + 1
    )
