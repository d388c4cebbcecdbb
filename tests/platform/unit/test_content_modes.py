"""Both CloudEvents Kafka content modes, detected per record, as the official Python SDK writes
them (the review found binary mode — Knative's and most sinks' default — dead-lettered)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from cloudevents.http import CloudEvent as SdkEvent
from cloudevents.kafka import KafkaMessage, from_structured, to_binary, to_structured

from cstatus.contracts import topics
from cstatus.contracts.envelope import encode, new_event
from cstatus.contracts.errors import ContractError
from cstatus.contracts.reservations import ReservationBooked
from cstatus.platform.kafka.transactional import KeyMismatch, decode_record

pytestmark = pytest.mark.unit

ATTRIBUTES = {
    "type": "reservation.booked",
    "source": "knative-booking",
    "subject": "c-1",
    "tenant": "acme",
    "id": "evt-1",
    "time": "2026-11-20T10:00:00Z",
    "datacontenttype": "application/json",
    "partitionkey": "acme:c-1",
    "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
}
DATA = {"reservation_id": "r-1", "arrival_date": "2026-12-01", "room_type": "suite"}


def _record(message: KafkaMessage, key: bytes | None = None) -> ConsumerRecord[bytes, bytes]:
    key = key if key is not None else message.key  # the SDK keys by `partitionkey`
    key_bytes = key.encode() if isinstance(key, str) else key
    headers = list(message.headers.items())
    return ConsumerRecord(
        topics.BOOKINGS_RESERVATIONS,
        0,
        1,
        0,
        0,
        key_bytes,
        message.value,
        None,
        len(key_bytes or b""),
        len(message.value),
        headers,
    )


@pytest.mark.parametrize("mode", [to_binary, to_structured], ids=["binary", "structured"])
def test_the_python_sdk_in_both_modes_is_understood(mode: Any) -> None:
    event = decode_record(_record(mode(SdkEvent(ATTRIBUTES, DATA))))
    assert (event.tenant, event.subject, event.id) == ("acme", "c-1", "evt-1")
    assert isinstance(event.data, ReservationBooked) and event.data.reservation_id == "r-1"
    assert event.traceparent == ATTRIBUTES["traceparent"]
    assert event.data.ignored_fields == ("room_type",)


def test_binary_mode_keeps_the_tenant_check_and_refuses_bad_data() -> None:
    message = to_binary(SdkEvent(ATTRIBUTES, DATA))
    with pytest.raises(KeyMismatch):
        decode_record(_record(message, key=b"other:c-1"))
    broken = KafkaMessage(message.headers, message.key, b"{not json")
    with pytest.raises(ContractError, match="not valid JSON"):
        decode_record(_record(broken))
    missing = to_binary(SdkEvent(ATTRIBUTES, {"reservation_id": "r-1"}))
    with pytest.raises(ContractError, match="arrival_date"):
        decode_record(_record(missing))


def test_what_we_publish_is_read_by_the_python_sdk() -> None:
    ours = new_event(
        ReservationBooked(reservation_id="r-1", arrival_date="2026-12-01"),  # type: ignore[arg-type]
        id="evt-2",
        source="cstatus",
        tenant="acme",
        subject="c-1",
        time=datetime(2026, 11, 20, tzinfo=UTC),
    )
    read = from_structured(KafkaMessage({}, b"acme:c-1", encode(ours)))
    assert (read["type"], read["tenant"], read.data["reservation_id"]) == (
        "reservation.booked",
        "acme",
        "r-1",
    )
