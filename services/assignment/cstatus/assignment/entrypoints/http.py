"""HTTP routes of a customer: detail, manual and external changes, restrictions and checks."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict

from cstatus.assignment.adapters.restrictions_cache import restrictions_json
from cstatus.assignment.domain.checks import STAFF_ACTIONS, check
from cstatus.assignment.domain.decisions import CONFLICT_CODES, Pending, Refused
from cstatus.assignment.domain.guards import source_for_roles
from cstatus.assignment.domain.holding import ChangeRequest
from cstatus.assignment.entrypoints.http_deps import READERS, Api, ApiDep, Restrictions
from cstatus.assignment.entrypoints.http_views import ChangeResult, CustomerView, RestrictionsView
from cstatus.assignment.service.assignments import AfterCommit
from cstatus.assignment.service.queries import (
    RestrictionsReader,
    check_json,
    customer_detail,
    held_status,
)
from cstatus.contracts.fields import Code, CustomerId, Reason, TextId
from cstatus.contracts.languages import parse_accept_language
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller
from cstatus.platform.http.lean_route import LeanRoute
from cstatus.platform.http.params import CodePath, CustomerIdPath
from cstatus.platform.http.problem import Problem

__all__ = ["check_route", "languages", "refusal", "router"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AssignBody(_Body):
    status_code: Code
    reason: Reason | None = None
    until: AwareDatetime | None = None
    pin: bool = True
    """In an automatic or external category: pin it (automation leaves it alone until the pin
    is cleared or `until` passes), or set it now and let automation move it later."""


class CheckBody(_Body):
    customer_id: CustomerId
    action: Literal["transact", "redeem", "book_online", "book", "change_staff", "marketing"]
    service_code: Code | None = None
    appointment_date: date | None = None
    """`book`/`book_online`: the day of the appointment asked for (default today), checked
    against every window of a `max_appointments` limit that contains it."""
    staff_id: TextId | None = None
    """`book`/`book_online`/`change_staff`: the staff member asked for; another than the
    customer's usual staff gives a warning where a status has `staff_change_warning`."""


class CheckReason(BaseModel):
    category_code: str
    status_code: str
    rule: str


class WarningView(BaseModel):
    category_code: str
    status_code: str
    rule: str
    usual_staff_id: str | None = None


class CheckAnswer(BaseModel):
    allowed: bool
    must_prepay: bool
    reasons: list[CheckReason]
    warnings: list[WarningView] = []
    consent: Literal["opted_in", "objected", "none"] | None = None
    """Action `marketing` only: the customer's own answer (opted in, objected, or none)."""


def languages(request: Request, lang: str | None) -> list[str]:
    """`?lang=` first, then `Accept-Language` by quality (SPEC §1: translatable names)."""
    wanted = parse_accept_language(request.headers.get("accept-language"))
    return [lang, *wanted] if lang else wanted


def refusal(decision: Refused) -> Problem:
    status = 409 if decision.code in CONFLICT_CODES else 422
    if decision.code == "self_approval":
        status = 403
    return Problem(status, decision.message, code=decision.code)


async def answer_check(
    reader: RestrictionsReader, tenant: str, body: CheckBody, now: datetime
) -> bytes:
    """The JSON answer of `POST /v1/checks` (the router's route and its lean twin share it)."""
    entry = await reader.get(tenant, body.customer_id, now)
    usual = (
        await reader.usual_staff(tenant, body.customer_id)
        if body.staff_id is not None
        and body.action in STAFF_ACTIONS
        and entry.restrictions.staff_change_warning
        else None
    )
    result = check(
        entry.restrictions,
        body.action,
        service_code=body.service_code,
        appointments=entry.appointments,
        appointment_date=body.appointment_date,
        staff_id=body.staff_id,
        usual_staff_id=usual,
        today=now.date(),
    )
    # The hot path of upstream systems: encoded once, without a second validation pass.
    return json.dumps(check_json(result)).encode()


def check_route(restrictions: Restrictions, clock: Callable[[], datetime]) -> LeanRoute:
    """`POST /v1/checks` served lean (`cstatus.platform.http.lean_route`): the plain case of the
    route below, without FastAPI's routing and dependency layers."""

    async def answer(principal: Principal, body: CheckBody) -> bytes:
        return await answer_check(restrictions(), principal.tenant, body, clock())

    return LeanRoute("POST", "/v1/checks", frozenset(READERS), CheckBody, answer)


router = APIRouter(prefix="/v1")
reader = Depends(caller(*READERS))
changer = Depends(caller("status:agent", "status:system"))


@router.get("/customers/{customer_id}", response_model=CustomerView)
async def get_customer(
    api: ApiDep,
    customer_id: CustomerIdPath,
    request: Request,
    principal: Principal = reader,
    lang: str | None = None,
) -> dict[str, Any]:
    detail = await customer_detail(
        api.service, api.runtime.pool, principal.tenant, customer_id, languages(request, lang)
    )
    if detail is None:
        raise Problem(404, f"no customer {customer_id}", code="customer_not_found")
    return detail


async def _change(
    api: Api,
    principal: Principal,
    customer_id: CustomerIdPath,
    category_code: CodePath,
    *,
    status_code: str | None,
    reason: str | None,
    until: datetime | None,
    idempotency_key: str | None,
    pin: bool = True,
) -> dict[str, Any]:
    source = source_for_roles(principal.roles)
    assert source is not None  # the dependency let only agents and systems in
    ref = idempotency_key or uuid.uuid4().hex
    request = ChangeRequest(
        ref_id=f"http/{principal.subject}/{ref}",
        category_code=category_code,
        status_code=status_code,
        source=source,
        actor=principal.subject,
        reason=reason,
        until=until,
        pin=pin,
    )
    after = AfterCommit()
    now = api.clock()
    async with api.runtime.pool.acquire() as conn, conn.transaction():
        decision = await api.service.change(
            conn, principal.tenant, customer_id, request, now, after, publish_rejection=False
        )
        holding = await api.service.repo.holdings(conn, principal.tenant, customer_id)
        catalogue = await api.service.config.load(conn, principal.tenant)
    await after.flush(api.restrictions().cache)
    if isinstance(decision, Refused):
        raise refusal(decision)
    return {
        "customer_id": customer_id,
        "category_code": category_code,
        "result": type(decision).__name__.lower(),
        "status": held_status(catalogue, holding.get(category_code)),
        "approval_id": decision.approval_id if isinstance(decision, Pending) else None,
    }


@router.put(
    "/customers/{customer_id}/statuses/{category_code}",
    response_model=ChangeResult,
    responses={202: {"model": ChangeResult, "description": "waits for approval (SPEC 1.8)"}},
)
async def put_status(
    api: ApiDep,
    customer_id: CustomerIdPath,
    category_code: CodePath,
    body: AssignBody,
    response: Response,
    principal: Principal = changer,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> dict[str, Any]:
    """Set a status by hand; into a status that requires approval the answer is 202 with
    the pending request's `approval_id` (nothing changes until another person approves)."""
    result = await _change(
        api,
        principal,
        customer_id,
        category_code,
        status_code=body.status_code,
        reason=body.reason,
        until=body.until,
        idempotency_key=idempotency_key,
        pin=body.pin,
    )
    if result["result"] == "pending":
        response.status_code = 202
    return result


@router.delete("/customers/{customer_id}/statuses/{category_code}", response_model=ChangeResult)
async def delete_status(
    api: ApiDep,
    customer_id: CustomerIdPath,
    category_code: CodePath,
    principal: Principal = changer,
    reason: Annotated[str | None, Query(min_length=1, max_length=1000)] = None,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> dict[str, Any]:
    return await _change(
        api,
        principal,
        customer_id,
        category_code,
        status_code=None,
        reason=reason,
        until=None,
        idempotency_key=idempotency_key,
    )


@router.delete("/customers/{customer_id}/statuses/{category_code}/pin", response_model=ChangeResult)
async def delete_pin(
    api: ApiDep,
    customer_id: CustomerIdPath,
    category_code: CodePath,
    principal: Principal = changer,
    reason: Annotated[str | None, Query(min_length=1, max_length=1000)] = None,
) -> dict[str, Any]:
    """Resume automation: the status stays, the pin goes, the category is re-evaluated."""
    after = AfterCommit()
    async with api.runtime.pool.acquire() as conn, conn.transaction():
        decision = await api.service.unpin(
            conn,
            principal.tenant,
            customer_id,
            category_code,
            api.clock(),
            after,
            actor=principal.subject,
            reason=reason,
        )
        holding = await api.service.repo.holdings(conn, principal.tenant, customer_id)
        catalogue = await api.service.config.load(conn, principal.tenant)
    await after.flush(api.restrictions().cache)
    if isinstance(decision, Refused):
        raise refusal(decision)
    return {
        "customer_id": customer_id,
        "category_code": category_code,
        "result": type(decision).__name__.lower(),
        "status": held_status(catalogue, holding.get(category_code)),
    }


@router.get("/customers/{customer_id}/restrictions", response_model=RestrictionsView)
async def get_restrictions(
    api: ApiDep, customer_id: CustomerIdPath, principal: Principal = reader
) -> dict[str, Any]:
    entry = await api.restrictions().get(principal.tenant, customer_id, api.clock())
    return {"customer_id": customer_id, **restrictions_json(entry.restrictions)}


@router.post("/checks", response_model=CheckAnswer)
async def post_check(api: ApiDep, body: CheckBody, principal: Principal = reader) -> Response:
    answer = await answer_check(api.restrictions(), principal.tenant, body, api.clock())
    return Response(answer, media_type="application/json")
