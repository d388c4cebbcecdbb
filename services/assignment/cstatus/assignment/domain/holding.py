"""What a customer holds in one category, and the change requests made against it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

__all__ = ["ChangeRequest", "Holding", "Source"]

Source = Literal["automatic", "manual", "external", "system"]


@dataclass(frozen=True, slots=True)
class Holding:
    """The current row of (customer, category); `status_code` None means 'no status'.

    A pin (`pinned`) keeps automation out until it is cleared or `pinned_until` passes;
    `pinned_until` None with `pinned` True is a pin without an end. `sequence` counts the applied
    changes of this (customer, category); `last_manual_sequence` is the sequence of the last change
    made by a person or an external system, so a proposal computed before it can be told stale.
    """

    category_code: str
    status_code: str | None
    source: Source
    since: datetime
    updated_by: str
    updated_at: datetime
    sequence: int
    pinned: bool = False
    pinned_until: datetime | None = None
    reason: str | None = None
    last_manual_sequence: int = 0
    system_state: str | None = None
    """The `system_state` of the status when the customer entered it: the guards and built-in
    restrictions go by it, whatever the configuration says of the status later."""

    def pin_active(self, now: datetime) -> bool:
        return self.pinned and (self.pinned_until is None or self.pinned_until > now)


@dataclass(frozen=True, slots=True)
class ChangeRequest:
    """Put the customer in `status_code` (None: clear it) in `category_code`.

    `ref_id` is the command, proposal or request id that makes the change idempotent.
    """

    ref_id: str
    category_code: str
    status_code: str | None
    source: Source
    actor: str
    reason: str | None = None
    until: datetime | None = None
    based_on_sequence: int | None = None
    explanation: dict[str, Any] | None = field(default=None, compare=False)
    config_version: int | None = None
    """A proposal's configuration version (see `waits_for_configuration`)."""
    pin: bool = True
    """A manual change in an automatic or external category pins it unless this says not to."""
    approved_by: str | None = None
    """The second person who approved this change (SPEC 1.8), when its status takes four eyes."""
