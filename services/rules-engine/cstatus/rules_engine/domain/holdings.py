"""What a customer holds in a category, as the changes topic tells it: the change with the
highest sequence wins, and it pins, unpins or keeps the pin (`HoldingChange.pin`); the rule that
moved the customer into the status it leaves them in is kept (a change that keeps the status keeps
it). Both the PostgreSQL view and its in-memory twin apply changes through `after_changes`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from cstatus.rules_engine.domain.model import Current
from cstatus.rules_engine.domain.tenant import Held

__all__ = ["HoldingChange", "after_changes"]


@dataclass(frozen=True, slots=True)
class HoldingChange:
    """A change as the holdings view keeps it; `pin` is True (pins), False (unpins) or None
    (keeps)."""

    tenant: str
    customer: str
    category: str
    status_code: str | None
    system_state: str | None
    pin: bool | None
    pinned_until: datetime | None
    sequence: int
    entered_by: str | None = None
    """The rule of an automatic change (None for any other source)."""


def after_changes(old: Held | None, changes: Sequence[HoldingChange]) -> Held | None:
    """What one (tenant, customer, category) holds after `changes` (all of it), or None when none
    of them is newer than `old`."""
    newer = sorted(
        (c for c in changes if old is None or c.sequence > old.sequence), key=lambda c: c.sequence
    )
    if not newer:
        return None
    status = old.current.status_code if old is not None else None
    entered = old.current.entered_by if old is not None else None
    for change in newer:
        if change.status_code != status:
            status, entered = change.status_code, change.entered_by
    last = max(newer, key=lambda c: c.sequence)  # the first of equal sequences, as received
    if last.pin is None:
        pinned, until = (old.current.pinned, old.current.pinned_until) if old else (False, None)
    else:
        pinned, until = last.pin, last.pinned_until if last.pin else None
    return Held(Current(last.status_code, pinned, until, entered), last.sequence, last.system_state)
