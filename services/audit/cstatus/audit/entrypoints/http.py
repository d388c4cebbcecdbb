"""HTTP entry point of the Audit service (port 8084): history, as-of, timeline, search, export.

Every read needs one of the four roles and sees only the caller's tenant: another tenant's
customer reads as an empty history (and 404 on export).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from cstatus.audit.domain.changes import ChangeFilter, LoggedChange, Position
from cstatus.audit.domain.cursor import InvalidCursor, decode_cursor, encode_cursor
from cstatus.audit.domain.history import latest_per_category, timeline
from cstatus.audit.entrypoints.views import (
    AsOfStatusView,
    AsOfView,
    CategoryTimelineView,
    ChangePage,
    ChangeView,
    ExportView,
    LastUpdatesView,
    LastUpdateView,
    TimelineView,
)
from cstatus.audit.service.queries import LogQueries
from cstatus.contracts.languages import parse_accept_language
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller, state
from cstatus.platform.http.params import CustomerIdPath
from cstatus.platform.http.problem import Problem

__all__ = ["READ_ROLES", "router"]


READ_ROLES = ("status:viewer", "status:agent", "status:admin", "status:system")

Source = Literal["automatic", "manual", "external", "system"]
Limit = Annotated[int, Query(ge=1, le=500)]
Code = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Time = Annotated[AwareDatetime | None, Query()]
Reader = Annotated[Principal, Depends(caller(*READ_ROLES))]
Queries = Annotated[LogQueries, Depends(state(LogQueries, "queries"))]
Clock = Annotated[Callable[[], datetime], Depends(state(Callable, "clock"))]

router = APIRouter(prefix="/v1", tags=["audit"])


def _after(cursor: str | None) -> Position | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except InvalidCursor as error:
        raise Problem(
            422,
            "the cursor is not one this API issued",
            code="invalid_cursor",
            errors=[{"field": "cursor", "reason": str(error)}],
        ) from error


def _page(found: list[LoggedChange], limit: int) -> ChangePage:
    items = found[:limit]
    more = len(found) > limit
    return ChangePage(
        items=[ChangeView.of(c) for c in items],
        next_cursor=encode_cursor(items[-1].position) if more else None,
    )


def _check_range(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise Problem(
            422,
            "until must be later than since",
            code="validation_failed",
            errors=[{"field": "until", "reason": "must be later than since"}],
        )


def _languages(request: Request) -> list[str]:
    """What the reader asks for by `Accept-Language`, by quality."""
    return parse_accept_language(request.headers.get("accept-language"))


@router.get("/customers/{customer_id}/history", response_model=ChangePage)
async def history(
    customer_id: CustomerIdPath,
    request: Request,
    who: Reader,
    queries: Queries,
    category: Code = None,
    source: Source | None = None,
    since: Time = None,
    until: Time = None,
    order: Literal["asc", "desc"] = "desc",
    limit: Limit = 50,
    cursor: str | None = None,
) -> ChangePage:
    """Who changed what, when and why: the customer's changes, newest first by default."""
    _check_range(since, until)
    where = ChangeFilter(category=category, source=source, since=since, until=until)
    found = await queries.changes(
        who.tenant,
        customer=customer_id,
        where=where,
        after=_after(cursor),
        limit=limit + 1,
        descending=order == "desc",
        languages=_languages(request),
    )
    return _page(found, limit)


@router.get("/customers/{customer_id}/statuses/as-of", response_model=AsOfView)
async def as_of(
    customer_id: CustomerIdPath,
    time: AwareDatetime,
    request: Request,
    who: Reader,
    queries: Queries,
) -> AsOfView:
    """The status the customer held in each category at `time`."""
    found = await queries.changes(who.tenant, customer=customer_id, languages=_languages(request))
    statuses: dict[str, AsOfStatusView | None] = {}
    for code, change in latest_per_category(found, time).items():
        statuses[code] = (
            None
            if change.to is None
            else AsOfStatusView(
                status_code=change.to.code,
                name=change.to.name,
                system_state=change.to.system_state,
                since=change.effective_at,
                source=change.source,
                change_id=change.change_id,
                sequence=change.sequence,
            )
        )
    return AsOfView(customer_id=customer_id, time=time, statuses=statuses)


@router.get("/customers/{customer_id}/timeline", response_model=TimelineView)
async def customer_timeline(
    customer_id: CustomerIdPath, request: Request, who: Reader, queries: Queries, clock: Clock
) -> TimelineView:
    """Each status the customer held: entered, left and how long."""
    now = clock()
    found = await queries.changes(who.tenant, customer=customer_id, languages=_languages(request))
    return TimelineView(
        customer_id=customer_id,
        now=now,
        categories={
            code: CategoryTimelineView.of(found_timeline)
            for code, found_timeline in timeline(found, now).items()
        },
    )


@router.get("/customers/{customer_id}/last-updated", response_model=LastUpdatesView)
async def last_updated(
    customer_id: CustomerIdPath, who: Reader, queries: Queries
) -> LastUpdatesView:
    """Per category: when the customer's status was last changed, and by whom."""
    found = await queries.changes(who.tenant, customer=customer_id)
    return LastUpdatesView(
        customer_id=customer_id,
        categories={
            code: LastUpdateView(
                status_code=change.to.code if change.to else None,
                updated_at=change.effective_at,
                updated_by=change.actor,
                source=change.source,
                change_id=change.change_id,
                sequence=change.sequence,
            )
            for code, change in latest_per_category(found).items()
        },
    )


@router.get("/customers/{customer_id}/export", response_model=ExportView)
async def export(
    customer_id: CustomerIdPath, who: Reader, queries: Queries, clock: Clock
) -> ExportView:
    """Everything the audit log holds about the customer (GDPR access request)."""
    found = await queries.customer_record(who.tenant, customer_id)
    if found.empty:
        raise Problem(404, "no audit records for this customer", code="customer_not_found")
    return ExportView(
        customer_id=customer_id,
        tenant=who.tenant,
        exported_at=clock(),
        erased=found.erased_at is not None,
        erased_at=found.erased_at,
        changes=[ChangeView.of(c) for c in found.changes],
        rejections=found.rejections,
        profile_events=found.profile_events,
    )


@router.get("/changes", response_model=ChangePage)
async def search(
    request: Request,
    who: Reader,
    queries: Queries,
    category: Code = None,
    status: Code = None,
    source: Source | None = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    since: Time = None,
    until: Time = None,
    include_excluded: bool = False,
    order: Literal["asc", "desc"] = "asc",
    limit: Limit = 100,
    cursor: str | None = None,
) -> ChangePage:
    """The tenant's changes for reports; `exclude_from_reports` changes only when asked."""
    _check_range(since, until)
    where = ChangeFilter(
        category=category,
        source=source,
        status=status,
        actor=actor,
        since=since,
        until=until,
        include_excluded=include_excluded,
    )
    found = await queries.changes(
        who.tenant,
        where=where,
        after=_after(cursor),
        limit=limit + 1,
        descending=order == "desc",
        languages=_languages(request),
    )
    return _page(found, limit)
