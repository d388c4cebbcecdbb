"""A record whose key names another tenant than its envelope is refused (dead-lettered), in both
key shapes; found by the reliability suite, where such records used to be applied."""

from __future__ import annotations

import json

import pytest
from aiokafka.structs import ConsumerRecord

from cstatus.contracts import topics
from cstatus.platform.kafka.transactional import KeyMismatch, decode_record

pytestmark = pytest.mark.unit

EVENT = {
    "specversion": "1.0",
    "id": "e-1",
    "source": "pos",
    "type": "reservation.booked",
    "time": "2026-11-20T10:00:00Z",
    "tenant": "acme",
    "subject": "c-1",
    "data": {"reservation_id": "r-1", "arrival_date": "2026-12-01"},
}


def _record(key: bytes | None) -> ConsumerRecord[bytes, bytes]:
    value = json.dumps(EVENT).encode()
    return ConsumerRecord(
        topics.BOOKINGS_RESERVATIONS, 0, 1, 0, 0, key, value, None, len(key or b""), len(value), []
    )


def test_the_key_must_name_the_envelope_tenant() -> None:
    assert decode_record(_record(b"acme:c-1")).tenant == "acme"
    assert decode_record(_record(None)).tenant == "acme"
    with pytest.raises(KeyMismatch, match="'other'"):
        decode_record(_record(b"other:c-1"))
    with pytest.raises(KeyMismatch):
        decode_record(_record(b"acmeX:c-1"))
