"""HTTP routes of four-eyes approvals (SPEC 1.8): list, read, approve, reject."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict

from cstatus.assignment.domain.approvals import Approval, ApprovalState
from cstatus.assignment.domain.decisions import Refused
from cstatus.assignment.entrypoints.http import refusal
from cstatus.assignment.entrypoints.http_deps import READERS, Api, ApiDep
from cstatus.assignment.entrypoints.http_views import HeldStatusView
from cstatus.assignment.service import approvals
from cstatus.assignment.service.assignments import AfterCommit
from cstatus.assignment.service.queries import held_status
from cstatus.contracts.fields import Reason
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller
from cstatus.platform.http.params import CustomerIdQuery
from cstatus.platform.http.problem import Problem

__all__ = ["APPROVER", "router"]

APPROVER = "status:approver"
ApprovalId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]{1,64}$")]


class ApproveBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reason: Reason | None = None


class RejectBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reason: Reason


class ApprovalView(BaseModel):
    id: str
    customer_id: str
    category_code: str
    status_code: str
    reason: str | None
    until: datetime | None
    pin: bool
    state: ApprovalState
    requested_by: str
    requested_at: datetime
    expires_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str | None
    refusal_code: str | None
    """`refused`: the guards' code when the approved change was judged again and refused."""


class ApprovalList(BaseModel):
    items: list[ApprovalView]


class ApprovalDecision(BaseModel):
    approval: ApprovalView
    status: HeldStatusView | None
    """The customer's status in the category after the decision."""


def _view(approval: Approval, now: datetime) -> dict[str, Any]:
    return {
        "id": approval.id,
        "customer_id": approval.customer_id,
        "category_code": approval.category_code,
        "status_code": approval.status_code,
        "reason": approval.reason,
        "until": approval.until,
        "pin": approval.pin,
        "state": approval.state_at(now),
        "requested_by": approval.requested_by,
        "requested_at": approval.requested_at,
        "expires_at": approval.expires_at,
        "decided_by": approval.decided_by,
        "decided_at": approval.decided_at,
        "decision_reason": approval.decision_reason,
        "refusal_code": approval.refusal_code,
    }


def _missing(ident: str) -> Problem:
    return Problem(404, f"no approval {ident}", code="approval_not_found")


router = APIRouter(prefix="/v1", tags=["approvals"])
reader = Depends(caller(*READERS, APPROVER))
approver = Depends(caller(APPROVER))


@router.get("/approvals", response_model=ApprovalList)
async def list_approvals(
    api: ApiDep,
    principal: Principal = reader,
    state: ApprovalState | None = None,
    customer_id: CustomerIdQuery = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """Requests newest first; `state=pending` is what waits for an approver now."""
    now = api.clock()
    async with api.runtime.pool.acquire() as conn:
        found = await api.service.approvals.search(
            conn, principal.tenant, state=state, customer_id=customer_id, now=now, limit=limit
        )
    return {"items": [_view(a, now) for a in found]}


@router.get("/approvals/{approval_id}", response_model=ApprovalView)
async def get_approval(
    api: ApiDep, approval_id: ApprovalId, principal: Principal = reader
) -> dict[str, Any]:
    async with api.runtime.pool.acquire() as conn:
        found = await api.service.approvals.get(conn, principal.tenant, approval_id)
    if found is None:
        raise _missing(approval_id)
    return _view(found, api.clock())


async def _decide(
    api: Api,
    principal: Principal,
    approval_id: str,
    verdict: Literal["approve", "reject"],
    reason: Any,
) -> dict[str, Any]:
    now, after = api.clock(), AfterCommit()
    async with api.runtime.pool.acquire() as conn, conn.transaction():
        try:
            if verdict == "approve":
                outcome: Approval | Refused = await approvals.approve(
                    api.service,
                    conn,
                    principal.tenant,
                    approval_id,
                    principal.subject,
                    now,
                    after,
                    reason=reason,
                )
            else:
                outcome = await approvals.reject(
                    api.service,
                    conn,
                    principal.tenant,
                    approval_id,
                    principal.subject,
                    now,
                    reason=reason,
                )
        except approvals.ApprovalNotFound:
            raise _missing(approval_id) from None
        if isinstance(outcome, Refused):
            raise refusal(outcome)
        holding = await api.service.repo.holdings(conn, principal.tenant, outcome.customer_id)
        catalogue = await api.service.config.load(conn, principal.tenant)
    await after.flush(api.restrictions().cache)
    return {
        "approval": _view(outcome, now),
        "status": held_status(catalogue, holding.get(outcome.category_code)),
    }


@router.post("/approvals/{approval_id}/approve", response_model=ApprovalDecision)
async def approve(
    api: ApiDep,
    approval_id: ApprovalId,
    body: ApproveBody | None = None,
    principal: Principal = approver,
) -> dict[str, Any]:
    """Apply the requested change, judged again by the guards (`state: refused` with their
    code when the customer has moved on); the requester can never approve their own."""
    return await _decide(api, principal, approval_id, "approve", body.reason if body else None)


@router.post("/approvals/{approval_id}/reject", response_model=ApprovalDecision)
async def reject(
    api: ApiDep, approval_id: ApprovalId, body: RejectBody, principal: Principal = approver
) -> dict[str, Any]:
    return await _decide(api, principal, approval_id, "reject", body.reason)
