"""`POST /v1/previews` (SPEC 1.9): what a proposed configuration would do to every customer of
the caller's tenant on a given day, changing nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from cstatus.contracts.fields import Code
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller as requires
from cstatus.platform.http.depends import state
from cstatus.platform.http.problem import Problem
from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.domain.preview import Tally
from cstatus.rules_engine.service.preview import Parallel, ProposalError, preview

__all__ = ["router"]

log = logging.getLogger(__name__)

PREVIEWERS = ("status:admin", "status:viewer")


class CategoryProposal(BaseModel):
    """A category's fields as status-config takes them, by `code` (statuses merged by code)."""

    model_config = ConfigDict(extra="allow", frozen=True)
    code: Code


class StatusProposal(BaseModel):
    """A status's fields as status-config takes them, by `code`, in `category_code`."""

    model_config = ConfigDict(extra="allow", frozen=True)
    category_code: Code
    code: Code


class RuleProposal(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    category_code: Code
    status_code: Code
    rule: dict[str, JsonValue] | None = Field(description="the status's one rule; null: none")


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    as_of: date | None = Field(default=None, description="today (default) or later")
    category: CategoryProposal | None = None
    status: StatusProposal | None = None
    rule: RuleProposal | None = None
    sample: int = Field(default=20, ge=0, le=200)


class MoveCount(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    category_code: str
    from_: str | None = Field(alias="from")
    to: str | None
    customers: int


class RestrictionCount(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    restriction: str
    from_: bool = Field(alias="from")
    to: bool
    customers: int


class SampleMove(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    customer_id: str
    category_code: str
    from_: str | None = Field(alias="from")
    to: str | None
    explanation: dict[str, Any]


class PreviewResponse(BaseModel):
    as_of: date
    config_version: int
    """The configuration the proposal was laid over."""
    customers: int
    moved_customers: int
    moves: list[MoveCount]
    """Under the proposal: customers per category and `from → to`, against what they hold."""
    anyway: list[MoveCount]
    """The same under the current configuration on `as_of`: what moves without the change."""
    restrictions: list[RestrictionCount]
    sample: list[SampleMove]
    seconds: float


def _answer(tally: Tally) -> dict[str, Any]:
    def moves(counter: Any) -> list[dict[str, Any]]:
        return [
            {"category_code": c, "from": f, "to": t, "customers": n}
            for (c, f, t), n in sorted(counter.items(), key=lambda i: (-i[1], str(i[0])))
        ]

    return {
        "customers": tally.customers,
        "moved_customers": tally.moved_customers,
        "moves": moves(tally.moves),
        "anyway": moves(tally.anyway),
        "restrictions": [
            {"restriction": r, "from": f, "to": t, "customers": n}
            for (r, f, t), n in sorted(tally.restrictions.items())
        ],
        "sample": [
            {
                "customer_id": m.customer,
                "category_code": m.category_code,
                "from": m.from_code,
                "to": m.to_code,
                "explanation": dict(m.explanation),
            }
            for m in tally.sample
        ],
    }


router = APIRouter(prefix="/v1", tags=["previews"])
Previewer = Annotated[Principal, Depends(requires(*PREVIEWERS))]
Runtime = Annotated[ServiceRuntime, Depends(state(ServiceRuntime, "runtime"))]
Clock = Annotated[Callable[[], datetime], Depends(state(Callable, "clock"))]
Processes = Annotated[Parallel, Depends(state(Parallel, "parallel"))]
"""How a preview of a big tenant is split over processes (`settings.preview_processes`)."""


@router.post("/previews", response_model=PreviewResponse, response_model_by_alias=True)
async def post_preview(
    body: PreviewRequest,
    caller: Previewer,
    runtime: Runtime,
    clock: Clock,
    parallel: Processes,
) -> dict[str, Any]:
    """Evaluate every customer against the stored facts under the proposed configuration
    on `as_of`, changing nothing (a read-only transaction: no rows, no messages). With no
    proposal it answers what the current configuration does by then ("who drops a tier
    by 31 January")."""
    now = clock()
    as_of = body.as_of or now.date()
    if as_of < now.date():
        raise Problem(
            422,
            "a preview looks at today or later",
            code="as_of_in_past",
            errors=[{"field": "as_of", "reason": "today or later"}],
        )

    def progress(done: int, total: int, parts: int) -> None:
        if done % 100_000 < 2_000 or done == total:
            part = f" (this process's part, 1 of {parts})" if parts > 1 else ""
            log.info("preview tenant=%s %d/%d customers%s", caller.tenant, done, total, part)

    try:
        async with (
            runtime.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            found = await preview(
                conn,
                caller.tenant,
                as_of=as_of,
                now=now,
                category=body.category.model_dump() if body.category else None,
                status=body.status.model_dump() if body.status else None,
                rule=body.rule.model_dump() if body.rule else None,
                sample=body.sample,
                progress=progress,
                parallel=parallel,
            )
    except ProposalError as refused:
        status = 409 if refused.field == "tenant" else 422
        code = "not_configured" if refused.field == "tenant" else "proposal_invalid"
        raise Problem(
            status,
            str(refused),
            code=code,
            errors=[{"field": refused.field, "reason": refused.reason}],
        ) from None
    except ValidationError as invalid:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]}
            for e in invalid.errors()[:20]
        ]
        raise Problem(
            422,
            "the proposed configuration is not valid",
            code="proposal_invalid",
            errors=errors,
        ) from None
    return {
        "as_of": found.as_of,
        "config_version": found.config_version,
        **_answer(found.tally),
        "seconds": round(found.seconds, 3),
    }
