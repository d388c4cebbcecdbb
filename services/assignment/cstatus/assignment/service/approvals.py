"""Deciding a change that waits for four eyes (SPEC 1.8).

Approving applies the requester's change through the same batch and guards as any manual change
(judged again: the customer may have moved on), with the approver named in the change event and
the audit log; the request and the change commit together. Rejecting only records the decision.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from cstatus.assignment.domain.approvals import Approval, approved_change, decided, may_decide
from cstatus.assignment.domain.decisions import Applied, Refused, Unchanged
from cstatus.assignment.service.after_commit import AfterCommit
from cstatus.assignment.service.assignments import Assignments

__all__ = ["ApprovalNotFound", "approve", "reject"]


class ApprovalNotFound(LookupError):
    pass


async def _pending(
    service: Assignments, conn: asyncpg.Connection, tenant: str, ident: str, who: str, now: datetime
) -> Approval | Refused:
    approval = await service.approvals.get(conn, tenant, ident, lock=True)
    if approval is None:
        raise ApprovalNotFound(ident)
    return may_decide(approval, who, now) or approval


async def approve(
    service: Assignments,
    conn: asyncpg.Connection,
    tenant: str,
    ident: str,
    approver: str,
    now: datetime,
    after: AfterCommit,
    *,
    reason: str | None,
) -> Approval | Refused:
    """Apply the approved change in the caller's transaction: the request as decided
    (`approved`, or `refused` with the guards' code), or why this approver may not decide."""
    found = await _pending(service, conn, tenant, ident, approver, now)
    if isinstance(found, Refused):
        return found
    request = approved_change(found, approver)
    batch = await service.begin(
        conn, [(tenant, found.customer_id)], now, after, refs=[(tenant, request.ref_id)]
    )
    decision = await batch.change(tenant, found.customer_id, request, publish_rejection=False)
    await batch.commit()
    if isinstance(decision, Applied | Unchanged):
        outcome = decided(found, "approved", approver, now, reason=reason)
    else:
        code = decision.code if isinstance(decision, Refused) else "pending"
        outcome = decided(found, "refused", approver, now, reason=reason, refusal_code=code)
    await service.approvals.save_decision(conn, outcome)
    return outcome


async def reject(
    service: Assignments,
    conn: asyncpg.Connection,
    tenant: str,
    ident: str,
    rejecter: str,
    now: datetime,
    *,
    reason: str,
) -> Approval | Refused:
    found = await _pending(service, conn, tenant, ident, rejecter, now)
    if isinstance(found, Refused):
        return found
    outcome = decided(found, "rejected", rejecter, now, reason=reason)
    await service.approvals.save_decision(conn, outcome)
    return outcome
