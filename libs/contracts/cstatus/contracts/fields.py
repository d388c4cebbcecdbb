"""Constrained field types shared by every contract model.

Each alias is an `Annotated` type, so a model field reads as its meaning (`CustomerId`, `Amount`)
and carries its limits into validation and the generated JSON Schemas.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Actor",
    "Amount",
    "ChangeSource",
    "Code",
    "ContractModel",
    "Currency",
    "CustomerId",
    "EventId",
    "Points",
    "Reason",
    "SystemState",
    "TenantId",
    "Text",
    "TextId",
]

TENANT_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
CODE_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"
# Printable: no ASCII control characters (they break logs, headers and keys).
PRINTABLE_PATTERN = r"^[^\x00-\x1f\x7f]+$"
# Free text: anything but NUL, which PostgreSQL cannot store in text or jsonb (a status name
# with one answered 500; found by schemathesis).
NO_NUL_PATTERN = r"^[^\x00]*$"

TenantId = Annotated[str, Field(pattern=TENANT_PATTERN, min_length=2, max_length=63)]
"""A tenant slug, `^[a-z0-9][a-z0-9-]{1,62}$`."""

TextId = Annotated[str, Field(min_length=1, max_length=128, pattern=PRINTABLE_PATTERN)]
"""An opaque identifier issued by some system: 1..128 printable characters."""

EventId = TextId
CustomerId = TextId
Actor = TextId

Code = Annotated[str, Field(pattern=CODE_PATTERN, min_length=1, max_length=64)]
"""A category or status code: letters, digits, `_`, `.`, `-`; no whitespace."""

Text = Annotated[str, Field(min_length=1, max_length=200, pattern=NO_NUL_PATTERN)]
"""A short human-readable label such as a name."""

Reason = Annotated[str, Field(min_length=1, max_length=1000, pattern=NO_NUL_PATTERN)]
"""Free text given by a person or system; may hold personal data (erased on request)."""

Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
"""An ISO 4217 currency code."""

Amount = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("1e12"), max_digits=18, decimal_places=4, allow_inf_nan=False),
]
"""A non-negative money amount; refunds carry a positive amount and a refund type."""

Points = Annotated[int, Field(ge=0, le=1_000_000_000)]

SystemState = Literal[
    "active", "suspended", "deleted", "fraud_suspected", "fraud_confirmed", "internal"
]
"""The predefined states with built-in meaning a status may map onto (SPEC §1)."""

ChangeSource = Literal["automatic", "manual", "external", "system"]
"""Who caused a status change: the rules engine, a person, an external system, or the platform."""


class ContractModel(BaseModel):
    """Base of every message model: immutable, unknown fields rejected, aliases on the wire
    (event `data` and the envelope relax the last for a tolerant reader: `EventData`)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )
