"""`crm.customers.v1`: the customer directory published by the CRM."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from pydantic import Field

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Text

__all__ = [
    "CUSTOMER_CREATED",
    "CUSTOMER_ERASED",
    "CUSTOMER_EVENTS",
    "CUSTOMER_UPDATED",
    "CustomerCreated",
    "CustomerErased",
    "CustomerProfile",
    "CustomerUpdated",
]

CUSTOMER_CREATED = "customer.created"
CUSTOMER_UPDATED = "customer.updated"
CUSTOMER_ERASED = "customer.erased"

Tag = Annotated[str, Field(min_length=1, max_length=64)]


class CustomerProfile(EventData):
    """The customer fields the CRM shares; every one optional (absent = not given/unchanged)."""

    customer_number: str | None = Field(default=None, min_length=1, max_length=64)
    first_name: Text | None = None
    last_name: Text | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, min_length=1, max_length=32)
    active: bool | None = None
    marketing_opt_in: bool | None = None
    """True: opted in. False withdraws an opt-in; it is not an objection (SPEC §1 v2)."""
    marketing_objected: bool | None = None
    """True: an explicit objection to marketing (GDPR Art. 21); it wins over any status that
    implies consent. False withdraws the objection."""
    tags: tuple[Tag, ...] | None = Field(default=None, max_length=50)


class CustomerCreated(CustomerProfile):
    event_type: ClassVar[str] = CUSTOMER_CREATED


class CustomerUpdated(CustomerProfile):
    """Fields present replace the stored ones; absent fields stay as they were."""

    event_type: ClassVar[str] = CUSTOMER_UPDATED


class CustomerErased(EventData):
    """GDPR erasure of the customer (the envelope's `subject`); `data` is `{}`."""

    event_type: ClassVar[str] = CUSTOMER_ERASED


CUSTOMER_EVENTS: Mapping[str, type[EventData]] = {
    model.event_type: model for model in (CustomerCreated, CustomerUpdated, CustomerErased)
}
