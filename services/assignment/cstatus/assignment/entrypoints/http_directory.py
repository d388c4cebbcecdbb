"""HTTP routes of the member-care desk: the directory `GET /v1/customers` and the counts per
status `GET /v1/status-counts`."""

from __future__ import annotations

import binascii
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from cstatus.assignment.adapters.directory import (
    DirectoryQuery,
    count_statuses,
    decode_cursor,
    encode_cursor,
    search,
)
from cstatus.assignment.domain.catalogue import Catalogue
from cstatus.assignment.entrypoints.http import languages
from cstatus.assignment.entrypoints.http_deps import READERS, Api, ApiDep
from cstatus.assignment.entrypoints.http_views import DirectoryPage, StatusCounts
from cstatus.assignment.service.queries import category_names, shown_status
from cstatus.contracts.fields import PRINTABLE_PATTERN
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller
from cstatus.platform.http.params import CodeQuery
from cstatus.platform.http.problem import Problem

__all__ = ["parse_status_filters", "router"]

SearchText = Annotated[str | None, Query(min_length=1, max_length=200, pattern=PRINTABLE_PATTERN)]
"""No control characters (a NUL reached PostgreSQL and answered 500; found by schemathesis)."""


def _invalid(value: str, reason: str) -> Problem:
    return Problem(
        422,
        "status filters look like category:status or category:a,category:b",
        code="validation_failed",
        errors=[{"field": "status", "reason": f"{reason}: {value!r}"}],
    )


def parse_status_filters(values: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each value is `category:status`, or several statuses of one category ORed
    (`loyalty:gold,loyalty:silver`, or `loyalty:gold,silver`); several values are ANDed.
    Anything else is a 422 naming the field."""
    filters: list[tuple[str, tuple[str, ...]]] = []
    for value in values:
        category: str | None = None
        codes: list[str] = []
        for part in value.split(","):
            named, sep, code = part.strip().rpartition(":")
            if sep and not named:
                raise _invalid(value, "no category")
            if not code:
                raise _invalid(value, "no status")
            if named:
                if category is not None and named != category:
                    raise _invalid(value, "statuses of different categories in one filter")
                category = named
            elif category is None:
                raise _invalid(value, "not category:status")
            codes.append(code)
        assert category is not None
        filters.append((category, tuple(dict.fromkeys(codes))))
    return tuple(filters)


def _row(item: dict[str, Any], catalogue: Catalogue, wanted: list[str]) -> dict[str, Any]:
    labels = {
        code: shown_status(catalogue, code, status_code, wanted)
        for code, status_code in item["statuses"].items()
    }
    return {**item, "labels": labels}


router = APIRouter(prefix="/v1")
reader = Depends(caller(*READERS))


async def query_of(
    api: Api,
    principal: Principal,
    *,
    q: str | None,
    status: list[str] | None,
    marketing: bool | None,
    include_inactive: bool,
    after: str | None = None,
    limit: int = 50,
) -> tuple[DirectoryQuery, Catalogue]:
    catalogue = await api.service.config.load(api.runtime.pool, principal.tenant)
    query = DirectoryQuery(
        tenant=principal.tenant,
        text=q,
        statuses=parse_status_filters(status or []),
        marketing=marketing,
        implying_consent=catalogue.implying_marketing_consent,
        include_inactive=include_inactive,
        after=after,
        limit=limit,
    )
    return query, catalogue


@router.get("/customers", response_model=DirectoryPage)
async def list_customers(
    api: ApiDep,
    request: Request,
    principal: Principal = reader,
    q: SearchText = None,
    status: Annotated[list[str] | None, Query(max_length=10)] = None,
    marketing: Annotated[
        bool | None, Query(description="true: who may receive marketing; false: who not")
    ] = None,
    include_inactive: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    lang: Annotated[str | None, Query(max_length=35)] = None,
) -> dict[str, Any]:
    try:
        after = decode_cursor(cursor) if cursor else None
    except (ValueError, binascii.Error) as error:
        raise Problem(422, "the cursor is not valid", code="invalid_cursor") from error
    query, catalogue = await query_of(
        api,
        principal,
        q=q,
        status=status,
        marketing=marketing,
        include_inactive=include_inactive,
        after=after,
        limit=limit,
    )
    page = await search(api.runtime.pool, query)
    wanted = languages(request, lang)
    return {
        "items": [_row(item, catalogue, wanted) for item in page.items],
        "categories": category_names(catalogue, wanted),
        "next_cursor": encode_cursor(page.next_after) if page.next_after else None,
    }


@router.get(
    "/status-counts",
    response_model=StatusCounts,
    responses={404: {"description": "the tenant has no such category"}},
)
async def status_counts(
    api: ApiDep,
    request: Request,
    category: CodeQuery,
    principal: Principal = reader,
    q: SearchText = None,
    status: Annotated[list[str] | None, Query(max_length=10)] = None,
    marketing: bool | None = None,
    include_inactive: bool = False,
    lang: Annotated[str | None, Query(max_length=35)] = None,
) -> dict[str, Any]:
    """How many customers hold each status of `category` (every status of it, zeros too),
    and how many hold none; the directory's filters narrow the customers counted."""
    query, catalogue = await query_of(
        api, principal, q=q, status=status, marketing=marketing, include_inactive=include_inactive
    )
    known = catalogue.categories.get(category)
    if known is None:
        raise Problem(404, f"no category {category}", code="category_not_found")
    found = await count_statuses(api.runtime.pool, query, category)
    wanted = languages(request, lang)
    counts = {code: 0 for code, s in known.statuses.items() if not s.archived}
    counts.update({code: n for code, n in found.items() if code is not None})
    return {
        "category_code": category,
        "name": known.name_in(wanted, catalogue.default_language),
        "counts": counts,
        "none": found.get(None, 0),
        "labels": {code: shown_status(catalogue, category, code, wanted) for code in counts},
    }
