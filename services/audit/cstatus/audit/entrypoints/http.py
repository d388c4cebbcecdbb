"""HTTP entry point of the Audit service (port 8084): history, as-of, timeline, search, export.

Every read needs one of the four roles and sees only the caller's tenant: another tenant's
customer reads as an empty history (and 404 on export).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

import asyncpg
from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime

from cstatus.audit.adapters.keys import key_state
from cstatus.audit.adapters.log_reader import list_changes, list_profile_events, list_rejections
from cstatus.audit.adapters.names_store import load_names
from cstatus.audit.domain.changes import ChangeFilter, LoggedChange, Position
from cstatus.audit.domain.cursor import InvalidCursor, decode_cursor, encode_cursor
from cstatus.audit.domain.history import latest_per_category, timeline
from cstatus.audit.domain.names import in_language
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
from cstatus.contracts.languages import parse_accept_language
from cstatus.platform.http.auth import Principal, require_roles
from cstatus.platform.http.params import CustomerIdPath
from cstatus.platform.http.problem import Problem
from cstatus.platform.service import ServiceRuntime

__all__ = ["READ_ROLES", "router"]

READ_ROLES = ("status:viewer", "status:agent", "status:admin", "status:system")

Source = Literal["automatic", "manual", "external", "system"]
Limit = Annotated[int, Query(ge=1, le=500)]
Code = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
Time = Annotated[AwareDatetime | None, Query()]


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


async def _named(
    conn: asyncpg.Connection, tenant: str, request: Request, found: list[LoggedChange]
) -> list[LoggedChange]:
    """Status names in the language the reader asks for (`Accept-Language` by quality, `de-AT`
    → `de` → the tenant's default), from the tenant's current translations."""
    wanted = parse_accept_language(request.headers.get("accept-language"))
    if not wanted or not found:
        return found
    return in_language(found, await load_names(conn, tenant), wanted)


def router(runtime: ServiceRuntime, clock: Callable[[], datetime]) -> APIRouter:
    api = APIRouter(prefix="/v1", tags=["audit"])
    reader = Depends(require_roles(runtime.authenticate, *READ_ROLES))

    @api.get("/customers/{customer_id}/history", response_model=ChangePage)
    async def history(
        customer_id: CustomerIdPath,
        request: Request,
        who: Principal = reader,
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
        async with runtime.pool.acquire() as conn:
            found = await list_changes(
                conn,
                who.tenant,
                customer=customer_id,
                where=where,
                after=_after(cursor),
                limit=limit + 1,
                descending=order == "desc",
            )
            found = await _named(conn, who.tenant, request, found)
        return _page(found, limit)

    @api.get("/customers/{customer_id}/statuses/as-of", response_model=AsOfView)
    async def as_of(
        customer_id: CustomerIdPath, time: AwareDatetime, request: Request, who: Principal = reader
    ) -> AsOfView:
        """The status the customer held in each category at `time`."""
        async with runtime.pool.acquire() as conn:
            found = await list_changes(conn, who.tenant, customer=customer_id)
            found = await _named(conn, who.tenant, request, found)
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

    @api.get("/customers/{customer_id}/timeline", response_model=TimelineView)
    async def customer_timeline(
        customer_id: CustomerIdPath, request: Request, who: Principal = reader
    ) -> TimelineView:
        """Each status the customer held: entered, left and how long."""
        now = clock()
        async with runtime.pool.acquire() as conn:
            found = await list_changes(conn, who.tenant, customer=customer_id)
            found = await _named(conn, who.tenant, request, found)
        return TimelineView(
            customer_id=customer_id,
            now=now,
            categories={
                code: CategoryTimelineView.of(found_timeline)
                for code, found_timeline in timeline(found, now).items()
            },
        )

    @api.get("/customers/{customer_id}/last-updated", response_model=LastUpdatesView)
    async def last_updated(customer_id: CustomerIdPath, who: Principal = reader) -> LastUpdatesView:
        """Per category: when the customer's status was last changed, and by whom."""
        async with runtime.pool.acquire() as conn:
            found = await list_changes(conn, who.tenant, customer=customer_id)
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

    @api.get("/customers/{customer_id}/export", response_model=ExportView)
    async def export(customer_id: CustomerIdPath, who: Principal = reader) -> ExportView:
        """Everything the audit log holds about the customer (GDPR access request)."""
        async with (
            runtime.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            known, erased_at = await key_state(conn, who.tenant, customer_id)
            changes = await list_changes(conn, who.tenant, customer=customer_id)
            rejections = await list_rejections(conn, who.tenant, customer_id)
            profile = await list_profile_events(conn, who.tenant, customer_id)
        if not (known or changes or rejections or profile):
            raise Problem(404, "no audit records for this customer", code="customer_not_found")
        return ExportView(
            customer_id=customer_id,
            tenant=who.tenant,
            exported_at=clock(),
            erased=erased_at is not None,
            erased_at=erased_at,
            changes=[ChangeView.of(c) for c in changes],
            rejections=list(rejections),
            profile_events=list(profile),
        )

    @api.get("/changes", response_model=ChangePage)
    async def search(
        request: Request,
        who: Principal = reader,
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
        async with runtime.pool.acquire() as conn:
            found = await list_changes(
                conn,
                who.tenant,
                where=where,
                after=_after(cursor),
                limit=limit + 1,
                descending=order == "desc",
            )
            found = await _named(conn, who.tenant, request, found)
        return _page(found, limit)

    return api
