"""Which message types travel on which topic, and decoding a message by its topic and `type`."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Union

from pydantic import Discriminator, Tag, TypeAdapter, ValidationError

from cstatus.contracts import topics
from cstatus.contracts.bulk import BulkChunk
from cstatus.contracts.changes import StatusChanged, WillDowngrade
from cstatus.contracts.commands import COMMAND_EVENTS
from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.customers import CUSTOMER_EVENTS
from cstatus.contracts.envelope import CloudEvent, EventData, envelope_for
from cstatus.contracts.errors import ContractError, UnknownEventType
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.contracts.payments import PAYMENT_EVENTS
from cstatus.contracts.proposals import StatusProposed
from cstatus.contracts.rejections import StatusRejected
from cstatus.contracts.reservations import RESERVATION_EVENTS
from cstatus.contracts.snapshots import CustomerSnapshot
from cstatus.contracts.transactions import TRANSACTION_EVENTS

__all__ = ["EVENTS_BY_TOPIC", "EVENT_TYPES", "decode_input"]


def _single(model: type[EventData]) -> Mapping[str, type[EventData]]:
    return {model.event_type: model}


EVENTS_BY_TOPIC: Mapping[str, Mapping[str, type[EventData]]] = {
    topics.BOOKINGS_RESERVATIONS: RESERVATION_EVENTS,
    topics.POS_TRANSACTIONS: TRANSACTION_EVENTS,
    topics.PAYMENTS: PAYMENT_EVENTS,
    topics.CRM_CUSTOMERS: CUSTOMER_EVENTS,
    topics.COMMANDS: COMMAND_EVENTS,
    topics.STATUS_CHANGES: {
        StatusChanged.event_type: StatusChanged,
        WillDowngrade.event_type: WillDowngrade,
    },
    topics.SNAPSHOTS: _single(CustomerSnapshot),
    topics.OUTLIERS: _single(TransactionOutlier),
    topics.REJECTIONS: _single(StatusRejected),
    topics.CONFIG: _single(ConfigPublished),
    topics.PROPOSALS: _single(StatusProposed),
    topics.BULK: _single(BulkChunk),
}
"""topic -> CloudEvents `type` -> data model, for every topic of SPEC §2."""

EVENT_TYPES: Mapping[str, type[EventData]] = {
    event_type: model
    for by_type in EVENTS_BY_TOPIC.values()
    for event_type, model in by_type.items()
}
"""Every CloudEvents `type` of the platform -> its data model."""

TOPIC_OF_TYPE: Mapping[str, str] = {
    event_type: topic for topic, by_type in EVENTS_BY_TOPIC.items() for event_type in by_type
}
"""Every CloudEvents `type` of the platform -> the topic it travels on."""


def decode_input(topic: str, raw: bytes | bytearray | str) -> CloudEvent[Any]:
    """Decode one message consumed from `topic`, choosing the data model by its `type`.

    The result is a `CloudEvent` (a `CommandEvent` on the commands topic) whose `data` is the
    model of its type, e.g. `ReservationBooked`. Raises `UnknownEventType` for a `type` this
    version does not know at all (a newer producer's: acknowledge and skip it), `ContractError`
    for invalid JSON, a known `type` that does not belong on `topic`, or any field that breaks
    the contract, and `KeyError` for a topic this package does not know.
    """
    adapter = _adapter(topic)
    try:
        return adapter.validate_json(raw)
    except ValidationError as error:
        details = error.errors(include_url=False, include_input=False)
        unknown = _unknown_type(topic, details)
        if unknown is not None:
            raise UnknownEventType(topic, unknown) from error
        first_loc = details[0]["loc"]
        event_type = first_loc[0] if first_loc else None
        if isinstance(event_type, str) and event_type in EVENTS_BY_TOPIC[topic]:
            what, skip = f"invalid {event_type} message on {topic}", 1
        else:
            what, skip = f"invalid message on {topic}", 0
        raise ContractError.from_validation(what, error, skip_loc=skip) from error


def _unknown_type(topic: str, details: list[Any]) -> str | None:
    """The `type` of a message no model of this version knows (a newer producer), if that is
    all that is wrong with it; a known type on the wrong topic is not unknown, it is invalid."""
    if len(details) != 1 or details[0]["type"] != "union_tag_invalid":
        return None
    found = (details[0].get("ctx") or {}).get("tag")
    if isinstance(found, str) and found and found not in EVENT_TYPES:
        return found
    return None


def _event_type(value: Any) -> str | None:
    if isinstance(value, dict):
        found = value.get("type")
        return found if isinstance(found, str) else None
    return getattr(value, "type", None)


@cache
def _adapter(topic: str) -> TypeAdapter[CloudEvent[Any]]:
    by_type = EVENTS_BY_TOPIC[topic]
    choices = tuple(
        Annotated[envelope_for(model), Tag(event_type)] for event_type, model in by_type.items()
    )
    union = Annotated[Union[choices], Discriminator(_event_type)]  # type: ignore[valid-type]  # noqa: UP007
    return TypeAdapter(union)
