"""Every service serves `/asyncapi.json` (SPEC §2 v2): its channels, the CloudEvents on them with
their schemas, what it receives and sends, and where what it cannot process goes."""

from __future__ import annotations

import pytest

from cstatus.contracts import topics
from cstatus.platform.http.asyncapi import asyncapi_document

pytestmark = pytest.mark.unit


def test_the_document_names_channels_messages_and_operations() -> None:
    doc = asyncapi_document(
        title="Assignment",
        version="1",
        receives=[topics.BOOKINGS_RESERVATIONS],
        sends=[topics.STATUS_CHANGES],
    )
    assert doc["asyncapi"] == "3.0.0"
    bookings = doc["channels"]["bookings_reservations_v1"]
    assert bookings["address"] == topics.BOOKINGS_RESERVATIONS
    booked = bookings["messages"]["reservation_booked"]
    assert booked["payload"]["properties"]["type"]["const"] == "reservation.booked"
    assert booked["payload"]["additionalProperties"] is True  # a tolerant reader
    assert set(bookings["messages"]) == {
        "reservation_booked",
        "reservation_cancelled",
        "reservation_arrived",
        "reservation_no_show",
    }
    ops = doc["operations"]
    assert ops["receive_bookings_reservations_v1"]["action"] == "receive"
    assert ops["send_customer_status_changes_v1"]["channel"] == {
        "$ref": "#/channels/customer_status_changes_v1"
    }
    assert doc["channels"]["bookings_reservations_v1_dlq"]["address"] == (
        "bookings.reservations.v1.dlq"
    )
    for op in ops.values():  # every reference resolves inside the document
        channel = op["channel"]["$ref"].split("/")[-1]
        assert channel in doc["channels"]
        for message in op.get("messages", []):
            _, _, cid, _, name = message["$ref"].split("/")
            assert name in doc["channels"][cid]["messages"]
