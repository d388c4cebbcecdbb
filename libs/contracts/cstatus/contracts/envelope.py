"""The CloudEvents 1.0 structured-mode envelope every message travels in (SPEC §2).

`CloudEvent[ReservationBooked]` validates the envelope and its `data` together; `CommandEvent`
is the same envelope with a mandatory `actor`. `encode`/`decode` turn envelopes into Kafka
values and back; `message_key` is the Kafka key that keeps one customer's messages in order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AwareDatetime, Field, ValidationError, model_validator
from pydantic_core import to_json

from cstatus.contracts.errors import ContractError
from cstatus.contracts.fields import Actor, ContractModel, CustomerId, EventId, TenantId

__all__ = [
    "CloudEvent",
    "CommandData",
    "CommandEvent",
    "EventData",
    "decode",
    "encode",
    "envelope_for",
    "message_key",
    "new_event",
    "tenant_key",
]

DataT = TypeVar("DataT")
EnvelopeT = TypeVar("EnvelopeT", bound="CloudEvent[Any]")

JSON_CONTENT_TYPE = "application/json"


class EventData(ContractModel):
    """Base of every `data` model; `event_type` is the CloudEvents `type` it travels under."""

    event_type: ClassVar[str] = ""


class CommandData(EventData):
    """Base of every command's `data`; commands travel in a `CommandEvent`."""


class CloudEvent(ContractModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope in structured mode, with the `tenant` extension attribute.

    `subject` is the customer id (for tenant-wide messages such as configuration: the tenant).
    If `data` is an `EventData`, `type` must be its `event_type`.
    """

    specversion: Literal["1.0"] = "1.0"
    id: EventId
    source: str = Field(min_length=1, max_length=256)
    type: str = Field(min_length=1, max_length=128)
    time: AwareDatetime
    tenant: TenantId
    subject: CustomerId
    datacontenttype: str = Field(
        default=JSON_CONTENT_TYPE, max_length=128, pattern=r"^application/json(\s*;.*)?$"
    )
    actor: Actor | None = None
    traceparent: str | None = Field(default=None, max_length=128)
    tracestate: str | None = Field(default=None, max_length=512)
    data: DataT

    @model_validator(mode="after")
    def _type_matches_data(self) -> CloudEvent[DataT]:
        expected = getattr(type(self.data), "event_type", "")
        if expected and self.type != expected:
            raise ValueError(f"type {self.type!r} does not match its data ({expected!r})")
        return self


class CommandEvent(CloudEvent[DataT], Generic[DataT]):
    """A command envelope: `id` is the command id and `actor` who issued it is mandatory."""

    actor: Actor


def envelope_for(model: type[EventData]) -> type[CloudEvent[Any]]:
    """The concrete envelope of a data model: `CommandEvent[model]` or `CloudEvent[model]`."""
    if issubclass(model, CommandData):
        return CommandEvent[model]  # type: ignore[valid-type]
    return CloudEvent[model]  # type: ignore[valid-type]


def message_key(tenant: str, subject: str) -> bytes:
    """The Kafka key of a customer's messages: `{tenant}:{subject}`, UTF-8."""
    return f"{tenant}:{subject}".encode()


def tenant_key(tenant: str) -> bytes:
    """The Kafka key of tenant-wide messages (the compacted configuration topic)."""
    return tenant.encode()


def new_event(
    data: DataT,
    *,
    id: str,
    source: str,
    tenant: str,
    subject: str,
    time: datetime,
    actor: str | None = None,
    traceparent: str | None = None,
) -> CloudEvent[DataT]:
    """Wrap `data` in a validated envelope whose `type` is taken from it.

    Command data gets a `CommandEvent` (then `actor` is required). Raises `ContractError`.
    """
    if not isinstance(data, EventData):
        raise TypeError(f"{type(data).__name__} is not an EventData model")
    event_type = data.event_type
    envelope: type[CloudEvent[DataT]] = envelope_for(type(data))
    try:
        return envelope(
            id=id,
            source=source,
            type=event_type,
            time=time,
            tenant=tenant,
            subject=subject,
            actor=actor,
            traceparent=traceparent,
            data=data,
        )
    except ValidationError as error:
        raise ContractError.from_validation(f"invalid {event_type} event", error) from error


def encode(event: CloudEvent[Any]) -> bytes:
    """Serialise an envelope to its Kafka value: JSON, aliases, unset envelope options omitted."""
    attributes = event.model_dump(mode="json", by_alias=True)
    return to_json({name: value for name, value in attributes.items() if value is not None})


def decode(raw: bytes | bytearray | str, model: type[EnvelopeT]) -> EnvelopeT:
    """Parse and validate one message as `model` (e.g. `CloudEvent[ReservationBooked]`).

    Raises `ContractError` naming every problem if `raw` is not JSON or breaks the contract.
    """
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise ContractError.from_validation(f"invalid {model.__name__} message", error) from error
