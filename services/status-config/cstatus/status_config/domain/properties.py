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
from cstatus.contracts.system_states import SYSTEM_STATES, meaning

__all__ = [
    "SYSTEM_STATE_DEFAULTS",
    "approval_by_default",
    "default_properties",
    "merge_properties",
    "sticky_by_default",
]

SYSTEM_STATE_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    state: m.defaults for state, m in SYSTEM_STATES.items()
}
"""The properties each system state starts a status with (`cstatus.contracts.system_states`)."""


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
    """Sticky by meaning (`fraud_suspected`): automation may move a customer in, never out."""
    return meaning(system_state).sticky


def approval_by_default(system_state: str | None) -> bool:
    """Deleting a customer and confirming fraud take four eyes (SPEC 1.8) unless an admin says
    otherwise."""
    return meaning(system_state).requires_approval
