"""Profile fields from CRM events: per field, the latest event by its CloudEvents `time` wins.

SPEC §1 (v2): the outcome must not depend on the order events are processed in. Each stored field
remembers the time of the event that set it; a field given by an older event is ignored. After an
erasure no profile event, however late or reordered, brings personal data back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

__all__ = [
    "ERASED",
    "PROFILE_FIELDS",
    "ProfileFields",
    "Stamped",
    "merge_newer",
    "newer_fields",
    "profile_fields",
]


@dataclass(frozen=True, slots=True)
class ProfileFields:
    """What assignment keeps of a customer's CRM profile: stored (`Profile`) and shown
    (`GET /v1/customers/{id}`) with these fields."""

    customer_id: str
    customer_number: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    active: bool
    marketing_opt_in: bool | None


ERASED: Mapping[str, Any] = {
    "customer_number": None,
    "first_name": None,
    "last_name": None,
    "email": None,
    "phone": None,
    "tags": None,
    "marketing_opt_in": None,  # consent is personal data too: none survives an erasure
    "marketing_objected": None,
    "erased": True,
    "active": False,
}
"""What an erasure leaves of a stored profile's fields (the fact that changes happened stays)."""

Stamped = dict[str, tuple[Any, datetime]]
"""field → (value, time of the event that gave it)."""


def newer_fields(given: Stamped, times: Mapping[str, datetime], *, erased: bool) -> Stamped:
    """The fields of `given` at least as new as the ones stored (set at `times`); none once erased."""
    if erased:
        return {}
    return {
        name: (value, at)
        for name, (value, at) in given.items()
        if (before := times.get(name)) is None or at >= before
    }


def merge_newer(into: Stamped, given: Stamped) -> None:
    """Fold `given` into `into`, field by field, the newer value winning (a batch's events)."""
    for name, (value, at) in given.items():
        current = into.get(name)
        if current is None or at >= current[1]:
            into[name] = (value, at)


PROFILE_FIELDS = frozenset(
    {
        "customer_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "active",
        "marketing_opt_in",
        "marketing_objected",
        "tags",
    }
)
"""The fields a CRM event can give a customer's profile."""


def profile_fields(given: Mapping[str, Any]) -> dict[str, Any]:
    """The profile fields an event gives: absent ones stay, and `active: null` changes nothing."""
    fields = {k: v for k, v in given.items() if k in PROFILE_FIELDS}
    if fields.get("active", True) is None:
        del fields["active"]
    if fields.get("tags") is not None:
        fields["tags"] = tuple(fields["tags"])
    return fields
