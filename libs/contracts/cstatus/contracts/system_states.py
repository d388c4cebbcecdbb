"""What each built-in system state means (SPEC §1 Status and 1.6, 1.8), once for every service.

A status may map onto a system state; the state brings meaning beyond the status's own
properties: defaults its properties start from (status-config), restrictions and flags that
hold whatever the properties say (assignment), whether automation may move a customer out
(assignment and the rules engine), whether a customer can leave it at all, what it may only
follow, and whether a manual change into it takes four eyes by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

__all__ = ["SYSTEM_STATES", "SystemStateMeaning", "meaning"]


@dataclass(frozen=True, slots=True)
class SystemStateMeaning:
    defaults: Mapping[str, Any] = field(default_factory=dict)
    """The properties a status of this state starts with (an admin may override them)."""
    denies: frozenset[str] = frozenset()
    """Restrictions (`can_*`) denied whatever the status's properties say."""
    flags: frozenset[str] = frozenset()
    """Flags (`transactions_are_outliers`, `exclude_from_reports`) set whatever they say."""
    sticky: bool = False
    """Automation may move a customer in, never out: only a person can."""
    terminal: bool = False
    """Nothing moves a customer out."""
    follows: str | None = None
    """A customer enters it only from a status of this state."""
    requires_approval: bool = False
    """A manual change into it waits for a second person unless an admin says otherwise."""

    @property
    def outliers(self) -> bool:
        """The holders' new transactions are outliers."""
        return "transactions_are_outliers" in self.flags


_OUTLIERS = frozenset({"transactions_are_outliers"})

SYSTEM_STATES: Mapping[str, SystemStateMeaning] = MappingProxyType(
    {
        "active": SystemStateMeaning(),
        "suspended": SystemStateMeaning(
            defaults={"can_redeem": False, "transactions_are_outliers": True}, flags=_OUTLIERS
        ),
        "deleted": SystemStateMeaning(
            defaults={
                "can_transact": False,
                "can_redeem": False,
                "can_book_online": False,
                "exclude_from_reports": True,
            },
            denies=frozenset({"can_transact", "can_redeem", "can_book_online", "can_book"}),
            terminal=True,
            requires_approval=True,
        ),
        "fraud_suspected": SystemStateMeaning(
            defaults={"transactions_are_outliers": True, "staff_change_warning": True},
            flags=_OUTLIERS,
            sticky=True,
        ),
        "fraud_confirmed": SystemStateMeaning(
            defaults={
                "can_transact": False,
                "can_redeem": False,
                "can_book_online": False,
                "transactions_are_outliers": True,
                "staff_change_warning": True,
            },
            denies=frozenset({"can_transact", "can_redeem"}),
            follows="fraud_suspected",
            requires_approval=True,
        ),
        "internal": SystemStateMeaning(
            defaults={"exclude_from_reports": True},
            flags=frozenset({"exclude_from_reports"}),
        ),
    }
)
"""Every system state of `SystemState` (`fields.SystemState`), with its meaning."""

_NONE = SystemStateMeaning()


def meaning(system_state: str | None) -> SystemStateMeaning:
    """The meaning of a state; none (no state, or one this version does not know) means none."""
    return SYSTEM_STATES.get(system_state or "", _NONE)
