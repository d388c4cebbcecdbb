"""The CloudEvents envelope: keys, encoding, decoding and its errors."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cstatus.contracts import (
    AssignStatus,
    CloudEvent,
    CommandEvent,
    ContractError,
    CustomerUpdated,
    ReservationBooked,
    StatusChanged,
    StatusRef,
    decode,
    encode,
    message_key,
    new_event,
    tenant_key,
)
from cstatus.contracts.examples import example

pytestmark = pytest.mark.unit

SPEC_EXAMPLE = b"""
{"specversion": "1.0", "id": "evt-0001", "source": "booking-system", "type": "reservation.booked",
 "time": "2026-11-20T10:00:00Z", "tenant": "acme", "subject": "cust-42",
 "data": {"reservation_id": "r-1", "arrival_date": "2026-12-01", "channel": "online"}}
"""


def booked(**changes: Any) -> bytes:
    raw = example("reservation.booked")
    raw.update(changes)
    return json.dumps(raw).encode()


def decode_error(raw: bytes) -> str:
    with pytest.raises(ContractError) as caught:
        decode(raw, CloudEvent[ReservationBooked])
    return str(caught.value)


def test_message_key_is_tenant_colon_subject() -> None:
    assert message_key("acme", "cust-42") == b"acme:cust-42"
    assert tenant_key("acme") == b"acme"


def test_spec_example_decodes() -> None:
    event = decode(SPEC_EXAMPLE, CloudEvent[ReservationBooked])

    assert event.tenant == "acme"
    assert event.subject == "cust-42"
    assert event.time == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert event.datacontenttype == "application/json"
    assert event.data == ReservationBooked(
        reservation_id="r-1", arrival_date=date(2026, 12, 1), channel="online"
    )


def test_encode_then_decode_is_identity() -> None:
    event = decode(booked(), CloudEvent[ReservationBooked])

    assert decode(encode(event), CloudEvent[ReservationBooked]) == event


def test_encode_omits_unset_envelope_options_but_keeps_null_data_fields() -> None:
    event = decode(
        json.dumps(example("customer_status.changed")).encode(), CloudEvent[StatusChanged]
    )

    wire = json.loads(encode(event))

    assert "actor" not in wire and "traceparent" not in wire
    assert wire["data"]["from"] is None
    assert wire["data"]["to"]["code"] == "gold"


def test_tracing_extension_is_accepted() -> None:
    event = decode(booked(tracestate="vendor=1"), CloudEvent[ReservationBooked])

    assert event.traceparent is not None and event.tracestate == "vendor=1"


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"tenant": "Acme Corp"}, "tenant"),
        ({"tenant": "a"}, "tenant"),
        ({"time": "2026-11-20T10:00:00"}, "time: Input should have timezone info"),
        ({"id": "x" * 129}, "id: String should have at most 128 characters"),
        ({"subject": ""}, "subject"),
        ({"specversion": "0.3"}, "specversion"),
        ({"Colour": "red"}, "not CloudEvents attribute names"),
        ({"col_our": "red"}, "'col_our'"),
        ({"type": "reservation.cancelled"}, "does not match its data"),
    ],
)
def test_broken_envelope_is_a_contract_error_naming_the_problem(
    changes: dict[str, Any], names: str
) -> None:
    assert names in decode_error(booked(**changes))


@pytest.mark.parametrize(
    ("data", "names"),
    [
        ({"reservation_id": "r-1"}, "data.arrival_date: Field required"),
        ({"reservation_id": "r-1", "arrival_date": "2026-12-01", "currency": "eur"}, "currency"),
        ({"reservation_id": "r-1", "arrival_date": "2026-12-01", "amount": "-1"}, "amount"),
        (
            {"reservation_id": "r-1", "arrival_date": "2026-12-01", "departure_date": "2026-11-01"},
            "departure_date is before arrival_date",
        ),
    ],
)
def test_broken_data_is_a_contract_error_naming_the_field(data: dict[str, Any], names: str) -> None:
    assert names in decode_error(booked(data=data))


@pytest.mark.parametrize("raw", [b"", b"not json", b"{", b"\xff\xfe"])
def test_not_json_is_a_contract_error(raw: bytes) -> None:
    assert "not valid JSON" in decode_error(raw)


def test_error_message_stays_bounded() -> None:
    message = decode_error(json.dumps({f"field_{i}_{'x' * 60}": i for i in range(100)}).encode())

    assert len(message) <= 1000
    assert message.endswith("...") and "field_0_" in message


def test_command_requires_an_actor() -> None:
    raw = example("customer_status.assign")
    del raw["actor"]

    with pytest.raises(ContractError, match="actor: Field required"):
        decode(json.dumps(raw).encode(), CommandEvent[AssignStatus])


def test_new_event_takes_type_from_data() -> None:
    data = StatusChanged(
        change_id="chg-1",
        category_code="loyalty",
        from_=None,
        to=StatusRef(code="gold", name="Gold"),
        source="automatic",
        actor="rules-engine",
        effective_at=datetime(2026, 11, 20, tzinfo=UTC),
        sequence=1,
        exclude_from_reports=False,
    )

    event = new_event(
        data,
        id="e-1",
        source="assignment",
        tenant="acme",
        subject="cust-42",
        time=datetime(2026, 11, 20, tzinfo=UTC),
    )

    assert event.type == "customer_status.changed"
    assert b'"from":null' in encode(event)
    assert decode(encode(event), CloudEvent[StatusChanged]) == event


def test_encoding_leaves_out_data_fields_never_set_and_keeps_explicit_nulls() -> None:
    data = CustomerUpdated(tags=("vip",), email=None)
    event = new_event(
        data, id="u-1", source="crm", tenant="acme", subject="cust-42", time=datetime.now(UTC)
    )

    wire = json.loads(encode(event))

    assert wire["data"] == {"tags": ["vip"], "email": None}  # the rest stays unchanged
    assert "actor" not in wire
    assert wire["specversion"] == "1.0"
    assert wire["datacontenttype"] == "application/json"
    decoded = decode(encode(event), CloudEvent[CustomerUpdated])
    assert decoded == event
    assert decoded.data.model_fields_set == {"tags", "email"}


def test_reencoding_upstream_json_keeps_fields_absent() -> None:
    raw = json.dumps(example("customer.updated") | {"data": {"last_name": "Lovelace"}}).encode()

    event = decode(raw, CloudEvent[CustomerUpdated])

    assert json.loads(encode(event))["data"] == {"last_name": "Lovelace"}


def test_new_event_wraps_commands_in_command_envelope() -> None:
    data = AssignStatus(category_code="relationship", status_code="vip")
    when = datetime(2026, 11, 20, tzinfo=UTC)

    with pytest.raises(ContractError, match="actor"):
        new_event(data, id="c-1", source="crm", tenant="acme", subject="cust-42", time=when)
    event = new_event(
        data, id="c-1", source="crm", tenant="acme", subject="cust-42", time=when, actor="u-1"
    )

    assert isinstance(event, CommandEvent)


def test_new_event_rejects_a_naive_time() -> None:
    with pytest.raises(ContractError, match="time"):
        new_event(
            AssignStatus(category_code="relationship", status_code="vip"),
            id="c-1",
            source="crm",
            tenant="acme",
            subject="cust-42",
            time=datetime(2026, 11, 20),
            actor="u-1",
        )


def test_models_are_frozen() -> None:
    event = decode(booked(), CloudEvent[ReservationBooked])

    with pytest.raises(ValueError, match="frozen"):
        event.tenant = "other"  # type: ignore[misc]


def test_a_producer_may_add_attributes_and_fields_without_breaking_us() -> None:
    """The compatibility rule (SPEC §2 v2, tolerant reader): extension attributes, the optional
    core attributes and `data` fields this version does not know are accepted and set aside; the
    known ones are still validated (the review found each of these dead-lettered)."""
    raw = booked(
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        partitionkey="acme:c-1",
        dataschema="https://booking.example/schemas/booked.json",
        datacontenttype="application/json",
        data={"reservation_id": "r-1", "arrival_date": "2026-12-01", "room_type": "suite"},
    )
    event = decode(raw, CloudEvent[ReservationBooked])
    assert event.data.ignored_fields == ("room_type",)
    assert event.extensions == {"partitionkey": "acme:c-1"}
    assert event.traceparent is not None and event.dataschema is not None
    assert "arrival_date" in decode_error(
        booked(data={"reservation_id": "r-1", "room_type": "suite"})
    )
