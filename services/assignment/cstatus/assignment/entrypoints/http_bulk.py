"""HTTP routes of bulk status changes: `POST /v1/bulk-status-changes` → 202 and the job to poll.

The job and its chunks (on `customer-status.bulk.v1`, through the outbox) are written in one
transaction; the service's bulk consumer applies them and the job's counters show the progress.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from cstatus.assignment.adapters.bulk_jobs import BulkJob
from cstatus.assignment.adapters.directory import DirectoryQuery
from cstatus.assignment.entrypoints.http_deps import READERS, ApiDep
from cstatus.assignment.entrypoints.http_directory import parse_status_filters
from cstatus.assignment.entrypoints.http_views import BulkJobView
from cstatus.assignment.service.bulk import MAX_CUSTOMERS, TooMany, new_job_id, start_job
from cstatus.contracts.fields import PRINTABLE_PATTERN, Code, CustomerId, Reason
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller
from cstatus.platform.http.problem import Problem

__all__ = ["router"]


class BulkFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    status: str | list[str] | None = None
    q: str | None = Field(default=None, min_length=1, max_length=200, pattern=PRINTABLE_PATTERN)
    marketing: bool | None = None
    include_inactive: bool = False


class BulkBody(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    category_code: Code
    status_code: Code | None = Field(description="null clears the status")
    reason: Reason | None = None
    until: AwareDatetime | None = None
    customer_ids: list[CustomerId] | None = Field(default=None, max_length=MAX_CUSTOMERS)
    filter: BulkFilter | None = None

    @model_validator(mode="after")
    def _ids_or_filter(self) -> BulkBody:
        if (self.customer_ids is None) == (self.filter is None):
            raise ValueError("give either customer_ids or filter")
        return self


router = APIRouter(prefix="/v1")
agent = Depends(caller("status:agent"))
reader = Depends(caller(*READERS))


@router.post(
    "/bulk-status-changes",
    status_code=202,
    response_model=BulkJobView,
    responses={202: {"headers": {"Location": {"schema": {"type": "string"}}}}},
)
async def create_bulk_change(
    api: ApiDep, body: BulkBody, principal: Principal = agent
) -> JSONResponse:
    catalogue = await api.service.config.load(api.runtime.pool, principal.tenant)
    category = catalogue.categories.get(body.category_code)
    if category is None:
        raise Problem(422, f"there is no category {body.category_code}", code="unknown_category")
    if body.status_code is not None and body.status_code not in category.statuses:
        raise Problem(422, f"there is no status {body.status_code}", code="unknown_status")
    if category.reason_required and not body.reason:
        raise Problem(422, f"a change in {category.code} needs a reason", code="reason_required")
    query = None
    if body.filter is not None:
        statuses = body.filter.status
        query = DirectoryQuery(
            tenant=principal.tenant,
            text=body.filter.q,
            statuses=parse_status_filters(
                [statuses] if isinstance(statuses, str) else list(statuses or [])
            ),
            marketing=body.filter.marketing,
            implying_consent=catalogue.implying_marketing_consent,
            include_inactive=body.filter.include_inactive,
        )
    job = BulkJob(
        id=new_job_id(),
        tenant=principal.tenant,
        actor=principal.subject,
        category_code=body.category_code,
        status_code=body.status_code,
        reason=body.reason,
        until=body.until,
    )
    now = api.clock()
    try:
        async with (
            api.runtime.pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read"),
        ):
            await start_job(api.service.jobs, conn, job, now, ids=body.customer_ids, query=query)
    except TooMany as error:
        raise Problem(422, str(error), code="too_many_customers") from error
    found = await api.service.jobs.get(api.runtime.pool, principal.tenant, job.id)
    return JSONResponse(
        found, status_code=202, headers={"Location": f"/v1/bulk-status-changes/{job.id}"}
    )


@router.get("/bulk-status-changes/{job_id}", response_model=BulkJobView)
async def get_bulk_change(
    api: ApiDep, job_id: str, principal: Principal = reader
) -> dict[str, Any]:
    found = await api.service.jobs.get(api.runtime.pool, principal.tenant, job_id)
    if found is None:
        raise Problem(404, f"no bulk change {job_id}", code="job_not_found")
    return found
