"""The restrictions a status carries, and the defaults each `system_state` brings (SPEC §1).

A status created with a `system_state` starts from that state's defaults; the properties an admin
gives override them. Changing a status's `system_state` starts again from the new state's defaults
(plus the properties given in the same change); otherwise a change only touches the properties it
names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cstatus.contracts.configuration import StatusProperties

__all__ = [
    "SYSTEM_STATE_DEFAULTS",
    "approval_by_default",
    "default_properties",
    "merge_properties",
    "sticky_by_default",
]

SYSTEM_STATE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "active": {},
    "suspended": {"can_redeem": False, "transactions_are_outliers": True},
    "deleted": {
        "can_transact": False,
        "can_redeem": False,
        "can_book_online": False,
        "exclude_from_reports": True,
    },
    "fraud_suspected": {"transactions_are_outliers": True, "staff_change_warning": True},
    "fraud_confirmed": {
        "can_transact": False,
        "can_redeem": False,
        "can_book_online": False,
        "transactions_are_outliers": True,
        "staff_change_warning": True,
    },
    "internal": {"exclude_from_reports": True},
}


_NULLABLE = frozenset(
    name for name, info in StatusProperties.model_fields.items() if info.default is None
)


def default_properties(system_state: str | None) -> StatusProperties:
    """The properties a status of `system_state` starts with (the plain defaults for none)."""
    return StatusProperties.model_validate(SYSTEM_STATE_DEFAULTS.get(system_state or "", {}))


def merge_properties(base: StatusProperties, changes: Mapping[str, Any]) -> StatusProperties:
    """`base` with the given properties replaced (validated again). `null` for a property that
    cannot be null (a flag) leaves it as it is; for one that can (`max_appointments`,
    `allowed_service_codes`) it removes the limit. (A flag sent as null answered 500: found by
    schemathesis.)"""
    given = {k: v for k, v in changes.items() if v is not None or k in _NULLABLE}
    return StatusProperties.model_validate({**base.model_dump(mode="json"), **given})


def sticky_by_default(system_state: str | None) -> bool:
    """`fraud_suspected` is sticky by meaning: automation may move a customer in, never out."""
    return system_state == "fraud_suspected"


def approval_by_default(system_state: str | None) -> bool:
    """Deleting a customer and confirming fraud take four eyes (SPEC 1.8) unless an admin says
    otherwise."""
    return system_state in ("deleted", "fraud_confirmed")
