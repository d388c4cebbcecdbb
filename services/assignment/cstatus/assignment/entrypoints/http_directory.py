"""HTTP route of the customer directory: `GET /v1/customers`."""

from __future__ import annotations

import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from cstatus.assignment.adapters.directory import (
    DirectoryQuery,
    decode_cursor,
    encode_cursor,
    search,
)
from cstatus.assignment.entrypoints.http_views import DirectoryPage
from cstatus.platform.http.auth import Principal, require_roles
from cstatus.platform.http.problem import Problem
from cstatus.platform.service import ServiceRuntime

__all__ = ["directory_router", "parse_status_filters"]

READERS = ("status:viewer", "status:agent", "status:admin", "status:system")


def parse_status_filters(values: list[str]) -> tuple[tuple[str, str], ...]:
    """`category:status` pairs; anything else is a 422 naming the field."""
    pairs: list[tuple[str, str]] = []
    for value in values:
        category, sep, status = value.partition(":")
        if not sep or not category or not status:
            raise Problem(
                422,
                "status filters look like category:status",
                code="validation_failed",
                errors=[{"field": "status", "reason": f"not category:status: {value!r}"}],
            )
        pairs.append((category, status))
    return tuple(pairs)


def directory_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(prefix="/v1")
    reader = Depends(require_roles(runtime.authenticate, *READERS))

    @router.get("/customers", response_model=DirectoryPage)
    async def list_customers(
        principal: Principal = reader,
        q: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
        status: Annotated[list[str] | None, Query(max_length=10)] = None,
        include_inactive: bool = False,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
    ) -> dict[str, Any]:
        try:
            after = decode_cursor(cursor) if cursor else None
        except (ValueError, binascii.Error) as error:
            raise Problem(422, "the cursor is not valid", code="invalid_cursor") from error
        query = DirectoryQuery(
            tenant=principal.tenant,
            text=q,
            statuses=parse_status_filters(status or []),
            include_inactive=include_inactive,
            after=after,
            limit=limit,
        )
        page = await search(runtime.pool, runtime.schema, query)
        return {
            "items": page.items,
            "next_cursor": encode_cursor(page.next_after) if page.next_after else None,
        }

    return router
