"""Decoding by topic: every message type, and the types that do not belong."""

from __future__ import annotations

import json

import pytest

from cstatus.contracts import (
    EVENT_TYPES,
    EVENTS_BY_TOPIC,
    CommandEvent,
    ContractError,
    CustomerErased,
    StatusChanged,
    decode_input,
    encode,
    topics,
)
from cstatus.contracts.errors import UnknownEventType
from cstatus.contracts.examples import EXAMPLES, example

pytestmark = pytest.mark.unit

TOPIC_AND_TYPE = [(topic, t) for topic, by_type in EVENTS_BY_TOPIC.items() for t in by_type]


def test_every_topic_of_the_spec_has_its_types() -> None:
    assert set(EVENTS_BY_TOPIC) == {spec.name for spec in topics.ALL_TOPICS} - {
        topics.dlq_topic(t) for t in topics.INPUT_TOPICS
    }
    assert set(EXAMPLES) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 25


@pytest.mark.parametrize(("topic", "event_type"), TOPIC_AND_TYPE)
def test_example_of_every_type_decodes_and_round_trips(topic: str, event_type: str) -> None:
    event = decode_input(topic, json.dumps(example(event_type)).encode())

    assert event.type == event_type
    assert isinstance(event.data, EVENT_TYPES[event_type])
    assert decode_input(topic, encode(event)) == event


def test_commands_decode_into_command_envelopes() -> None:
    event = decode_input(topics.COMMANDS, json.dumps(example("customer_status.assign")))

    assert isinstance(event, CommandEvent)
    assert event.actor == "agent-1"


def test_erasure_has_empty_data() -> None:
    event = decode_input(topics.CRM_CUSTOMERS, json.dumps(example("customer.erased")))

    assert event.data == CustomerErased()
    tolerated = decode_input(
        topics.CRM_CUSTOMERS,
        json.dumps({**example("customer.erased"), "data": {"email": "a@b.c"}}),
    )
    assert isinstance(tolerated.data, CustomerErased)
    assert tolerated.data.ignored_fields == ("email",)  # a field it does not know: ignored


def test_a_type_this_version_does_not_know_is_unknown_not_invalid() -> None:
    modified = {**example("reservation.booked"), "type": "reservation.modified"}
    with pytest.raises(UnknownEventType) as unknown:
        decode_input(topics.BOOKINGS_RESERVATIONS, json.dumps(modified))
    assert (unknown.value.topic, unknown.value.event_type) == (
        topics.BOOKINGS_RESERVATIONS,
        "reservation.modified",
    )
    misplaced = {**example("payment.captured")}
    with pytest.raises(ContractError) as invalid:  # known, but not on this topic
        decode_input(topics.BOOKINGS_RESERVATIONS, json.dumps(misplaced))
    assert not isinstance(invalid.value, UnknownEventType)


def test_change_reads_from_by_alias() -> None:
    event = decode_input(topics.STATUS_CHANGES, json.dumps(example("customer_status.changed")))

    assert isinstance(event.data, StatusChanged)
    assert event.data.from_ is None
    assert event.data.to is not None and event.data.to.code == "gold"


def test_unknown_type_on_a_topic_is_rejected() -> None:
    raw = json.dumps(example("payment.captured")).encode()

    with pytest.raises(ContractError) as caught:
        decode_input(topics.BOOKINGS_RESERVATIONS, raw)

    message = str(caught.value)
    assert "type: 'payment.captured' is not a type of this topic" in message
    assert "reservation.booked" in message


@pytest.mark.parametrize("raw", [b"[1, 2]", b'{"id": "x"}', b'{"type": 5}'])
def test_message_without_a_type_is_rejected(raw: bytes) -> None:
    with pytest.raises(ContractError, match="type: not a JSON object with a string `type`"):
        decode_input(topics.PAYMENTS, raw)


def test_invalid_field_names_the_type_and_field() -> None:
    raw = example("transaction.completed")
    raw["data"]["currency"] = "euro"

    with pytest.raises(ContractError) as caught:
        decode_input(topics.POS_TRANSACTIONS, json.dumps(raw))

    assert str(caught.value).startswith(
        "invalid transaction.completed message on pos.transactions.v1: 1 validation error: "
        "data.currency: String should match pattern"
    )
    assert caught.value.problems[0].startswith("data.currency")


def test_not_json_on_a_topic_is_rejected() -> None:
    with pytest.raises(ContractError, match="not valid JSON"):
        decode_input(topics.PAYMENTS, b"\x00garbage")


def test_unknown_topic_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        decode_input("no.such.topic", b"{}")
