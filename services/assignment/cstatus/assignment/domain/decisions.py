"""What judging a status change answers (`domain/guards.decide`): `Applied` (the new holding),
`Unchanged` (nothing to do: the customer already is where the request wants them), `Refused`
with a stable reason code, or `Pending` (a person's change into a status that takes four eyes,
which every guard let through, waits for a second person: `domain/approvals.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cstatus.assignment.domain.holding import Holding

__all__ = [
    "CONFLICT_CODES",
    "Applied",
    "Decision",
    "Pending",
    "Refused",
    "Unchanged",
    "recorded_outcome",
]

CONFLICT_CODES = frozenset(
    {
        "terminal",
        "fraud_confirmed_requires_suspected",
        "pinned",
        "sticky",
        "stale_proposal",
        "source_not_allowed",
        "override_not_allowed",
        "status_archived",
        "category_archived",
        "approval_expired",
        "approval_not_pending",
    }
)
"""Refusals that are a conflict with the current state (HTTP 409); the others are invalid input (422)."""


@dataclass(frozen=True, slots=True)
class Applied:
    holding: Holding
    previous: Holding | None


@dataclass(frozen=True, slots=True)
class Unchanged:
    holding: Holding | None


@dataclass(frozen=True, slots=True)
class Refused:
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Pending:
    """The change passed every guard but waits for a second person's approval (SPEC 1.8)."""

    approval_id: str = ""


Decision = Applied | Unchanged | Refused | Pending


def recorded_outcome(decision: Decision) -> dict[str, Any]:
    """The outcome recorded for a request's reference: a repeat of the request answers it."""
    if isinstance(decision, Refused):
        return {"result": "refused", "code": decision.code, "message": decision.message}
    if isinstance(decision, Applied):
        return {"result": "applied", "sequence": decision.holding.sequence}
    if isinstance(decision, Pending):
        return {"result": "pending", "approval_id": decision.approval_id}
    return {"result": "unchanged"}
