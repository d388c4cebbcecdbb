"""The CloudEvents 1.0 structured-mode envelope every message travels in (SPEC §2).

`CloudEvent[ReservationBooked]` validates the envelope and its `data` together; `CommandEvent`
is the same envelope with a mandatory `actor`. `encode`/`decode` turn envelopes into Kafka
values and back; `message_key` is the Kafka key that keeps one customer's messages in order.

Encoding leaves out the `data` fields that were never set (neither given to the model nor present
in the JSON it was read from): upstream JSON that omits a field means "unchanged", so a
`customer.updated` built in Python names only the fields it changes. A field set to None — such as
the `from` of a first `customer_status.changed` — is written as `null`.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AwareDatetime, ConfigDict, Field, ValidationError, model_validator

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
    """Base of every `data` model; `event_type` is the CloudEvents `type` it travels under.

    A tolerant reader (SPEC §2 v2): fields this version does not know are kept aside
    (`ignored_fields`) and never a reason to refuse the message; the fields it knows are
    validated as ever. A producer may add optional fields without breaking us."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )
    event_type: ClassVar[str] = ""

    @property
    def ignored_fields(self) -> tuple[str, ...]:
        """The fields of the message this version does not know (and ignores)."""
        return tuple(sorted(self.__pydantic_extra__ or ()))


class CommandData(EventData):
    """Base of every command's `data`; commands travel in a `CommandEvent`."""


_ATTRIBUTE_NAME = re.compile(r"^[a-z0-9]{1,20}$")
_MEMBERS = frozenset({"data", "data_base64"})


class CloudEvent(ContractModel, Generic[DataT]):
    """A CloudEvents 1.0 envelope in structured mode, with the `tenant` extension attribute.

    `subject` is the customer id (for tenant-wide messages such as configuration: the tenant).
    If `data` is an `EventData`, `type` must be its `event_type`. Every CloudEvents 1.0 core
    attribute is accepted, and any extension attribute whose name follows the specification
    (lower-case letters and digits, at most 20): the ones we use are validated, the rest kept
    aside and ignored (`extensions`).
    """

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

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
    dataschema: str | None = Field(default=None, min_length=1, max_length=2048)
    data: DataT

    @model_validator(mode="before")
    @classmethod
    def _attribute_names(cls, value: Any) -> Any:
        if isinstance(value, dict):
            bad = [
                name
                for name in value
                if name not in _KNOWN  # the usual attributes: no regex for them
                and not (isinstance(name, str) and _ATTRIBUTE_NAME.match(name))
            ]
            if bad:
                raise ValueError(
                    f"not CloudEvents attribute names (lower-case letters and digits, at most"
                    f" 20): {', '.join(repr(b) for b in bad)}"
                )
        return value

    @property
    def extensions(self) -> dict[str, Any]:
        """Extension attributes this version does not use (kept, ignored)."""
        return dict(self.__pydantic_extra__ or {})

    @model_validator(mode="after")
    def _type_matches_data(self) -> CloudEvent[DataT]:
        expected = getattr(type(self.data), "event_type", "")
        if expected and self.type != expected:
            raise ValueError(f"type {self.type!r} does not match its data ({expected!r})")
        return self


_KNOWN = _MEMBERS | frozenset(CloudEvent.model_fields)
"""Names that need no check: the members and the attributes this version defines (each follows
the rule)."""


class CommandEvent(CloudEvent[DataT], Generic[DataT]):
    """A command envelope: `id` is the command id and `actor` who issued it is mandatory."""

    actor: Actor


@cache
def envelope_for(model: type[EventData]) -> type[CloudEvent[Any]]:
    """The concrete envelope of a data model: `CommandEvent[model]` or `CloudEvent[model]`.

    Looked up once per model (parametrising a generic model costs more than the event it wraps).
    """
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


_OPTIONAL_ATTRIBUTES = ("actor", "traceparent", "tracestate", "dataschema")


def encode(event: CloudEvent[Any]) -> bytes:
    """Serialise an envelope to its Kafka value: JSON with aliases, in one pass.

    Envelope options that are None are omitted, and so are the `data` fields never set (absent
    upstream means "unchanged"); `data` fields explicitly set to None are written as `null`.
    """
    exclude: dict[str, Any] = {
        name: True for name in _OPTIONAL_ATTRIBUTES if getattr(event, name) is None
    }
    data = event.data
    if isinstance(data, EventData):
        unset = type(data).model_fields.keys() - data.model_fields_set
        if unset:
            exclude["data"] = unset
    return event.__pydantic_serializer__.to_json(event, by_alias=True, exclude=exclude or None)


def decode(raw: bytes | bytearray | str, model: type[EnvelopeT]) -> EnvelopeT:
    """Parse and validate one message as `model` (e.g. `CloudEvent[ReservationBooked]`).

    Raises `ContractError` naming every problem if `raw` is not JSON or breaks the contract.
    """
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        raise ContractError.from_validation(f"invalid {model.__name__} message", error) from error
