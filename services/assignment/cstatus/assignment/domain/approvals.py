"""Four eyes (SPEC 1.8): a manual change into a status that `requires_approval` waits for a
second person.

The guards judge the change when it is asked for (a change they would refuse is refused at
once, never queued) and again when an approval applies it. The request records who asked; only
another person with the approver's role may approve or reject it, and only while it is pending
and younger than its time to live.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from cstatus.assignment.domain.decisions import Refused
from cstatus.assignment.domain.holding import ChangeRequest

__all__ = [
    "APPROVAL_TTL",
    "Approval",
    "ApprovalState",
    "approval_request",
    "approved_change",
    "decided",
    "may_decide",
]

APPROVAL_TTL = timedelta(days=7)
"""How long a request waits for its approval by default (`CSTATUS_ASSIGNMENT_APPROVAL_TTL_DAYS`)."""

ApprovalState = Literal["pending", "approved", "rejected", "refused", "expired"]
"""`refused`: approved, but the guards refused the change when it was applied (the customer
moved on in between); `expired`: nobody decided within its time to live."""


@dataclass(frozen=True, slots=True)
class Approval:
    id: str
    tenant: str
    customer_id: str
    category_code: str
    status_code: str
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    reason: str | None = None
    until: datetime | None = None
    pin: bool = True
    state: ApprovalState = "pending"
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    refusal_code: str | None = None

    def state_at(self, now: datetime) -> ApprovalState:
        if self.state == "pending" and now >= self.expires_at:
            return "expired"
        return self.state


def approval_request(
    request: ChangeRequest, tenant: str, customer: str, ident: str, now: datetime, ttl: timedelta
) -> Approval:
    assert request.status_code is not None  # clearing a status needs no approval
    return Approval(
        id=ident,
        tenant=tenant,
        customer_id=customer,
        category_code=request.category_code,
        status_code=request.status_code,
        requested_by=request.actor,
        requested_at=now,
        expires_at=now + ttl,
        reason=request.reason,
        until=request.until,
        pin=request.pin,
    )


def may_decide(approval: Approval, decider: str, now: datetime) -> Refused | None:
    """Whether `decider` may approve or reject `approval` now."""
    state = approval.state_at(now)
    if state == "expired":
        return Refused(
            "approval_expired", f"approval {approval.id} expired at {approval.expires_at}"
        )
    if state != "pending":
        return Refused("approval_not_pending", f"approval {approval.id} is already {state}")
    if decider == approval.requested_by:
        return Refused("self_approval", "the person who asked for a change cannot approve it")
    return None


def approved_change(approval: Approval, approver: str) -> ChangeRequest:
    """The change the approval applies: the requester's, with the approver named beside them."""
    return ChangeRequest(
        ref_id=f"approval/{approval.id}",
        category_code=approval.category_code,
        status_code=approval.status_code,
        source="manual",
        actor=approval.requested_by,
        reason=approval.reason,
        until=approval.until,
        pin=approval.pin,
        approved_by=approver,
    )


def decided(
    approval: Approval,
    state: ApprovalState,
    decider: str,
    now: datetime,
    *,
    reason: str | None,
    refusal_code: str | None = None,
) -> Approval:
    return replace(
        approval,
        state=state,
        decided_by=decider,
        decided_at=now,
        decision_reason=reason,
        refusal_code=refusal_code,
    )
