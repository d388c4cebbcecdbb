"""HTTP API of the rules engine: a customer's activity and evaluations; the sweep on demand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from cstatus.contracts.changes import Explanation
from cstatus.platform.http.auth import Principal
from cstatus.platform.http.depends import caller as requires
from cstatus.platform.http.depends import state
from cstatus.platform.http.params import CustomerIdPath
from cstatus.platform.http.problem import Problem
from cstatus.platform.service import ServiceRuntime
from cstatus.rules_engine.adapters.translate import wire_explanation
from cstatus.rules_engine.domain.facts import CustomerFacts
from cstatus.rules_engine.domain.summary import ActivitySummary
from cstatus.rules_engine.domain.sweep_dates import sweep_day_refusal
from cstatus.rules_engine.service.report import CategoryEvaluation, customer_activity
from cstatus.rules_engine.service.sweep import SweepBusy, sweep_tenant
from cstatus.rules_engine.service.unit_of_work import DecisionStores

__all__ = ["router"]

READERS = ("status:admin", "status:agent", "status:viewer", "status:system")
SWEEPERS = ("status:admin", "status:system")


class SweepRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = None


class SweepResponse(BaseModel):
    tenant: str
    since: date | None
    as_of: date
    candidates: int
    proposed: int
    warned: int = Field(
        0, description="warnings published ahead of a move down (SPEC 1.7 warn_days)"
    )


class FactsView(BaseModel):
    reservations: int
    reservations_cancelled: int
    transactions: int
    spend: str
    payments: int
    invoices: int
    points_redeemed: int
    first_activity: dict[str, datetime]
    last_activity: datetime | None
    events: int


class EvaluationView(BaseModel):
    category_code: str
    current: str | None
    pinned: bool
    pinned_until: datetime | None
    target: str | None
    changes: bool
    automation: str
    explanation: Explanation | None


class SpendView(BaseModel):
    currency: str | None
    transactions: int
    spend: str
    """Sales minus refunds, in this currency."""
    average_spend: str


class OutlierView(BaseModel):
    transaction_id: str
    reason: str
    status_code: str | None
    flagged_at: datetime


class SummaryView(BaseModel):
    """The desk's view (SuiteSpot's "Info"): amounts per currency, never added across."""

    transactions: int
    spend: list[SpendView]
    last_visit: datetime | None
    points_earned: int
    points_redeemed: int
    points_balance: int
    outliers: list[OutlierView]
    """The most recent outlier transactions (at most 50)."""


class ActivityView(BaseModel):
    customer_id: CustomerIdPath
    configured: bool
    facts: FactsView
    summary: SummaryView
    evaluations: list[EvaluationView]


def _summary(s: ActivitySummary) -> dict[str, Any]:
    return {
        "transactions": s.transactions,
        "spend": [
            {
                "currency": x.currency,
                "transactions": x.transactions,
                "spend": str(x.net),
                "average_spend": str(x.average),
            }
            for x in s.spend
        ],
        "last_visit": s.last_visit.isoformat() if s.last_visit else None,
        "points_earned": s.points_earned,
        "points_redeemed": s.points_redeemed,
        "points_balance": s.points_balance,
        "outliers": [
            {
                "transaction_id": o.transaction_id,
                "reason": o.reason,
                "status_code": o.status_code,
                "flagged_at": o.flagged_at.isoformat(),
            }
            for o in s.outliers
        ],
    }


def _facts(facts: CustomerFacts) -> dict[str, Any]:
    spend = sum((p.net for p in facts.transactions.values() if p.counts), Decimal(0))
    return {
        "reservations": sum(r.counts for r in facts.reservations.values()),
        "reservations_cancelled": sum(r.cancelled for r in facts.reservations.values()),
        "transactions": sum(p.counts for p in facts.transactions.values()),
        "spend": str(spend),
        "payments": sum(p.counts for p in facts.payments.values()),
        "invoices": sum(p.counts for p in facts.invoices.values()),
        "points_redeemed": sum(r.points for r in facts.redemptions.values()),
        "first_activity": {k: t.isoformat() for k, (t, _) in sorted(facts.first_seen.items())},
        "last_activity": facts.last_activity.isoformat() if facts.last_activity else None,
        "events": len(facts.seen_events),
    }


def _evaluation(item: CategoryEvaluation) -> dict[str, Any]:
    decision = item.decision
    current = item.current
    return {
        "category_code": item.category_code,
        "current": current.status_code,
        "pinned": current.pinned,
        "pinned_until": current.pinned_until.isoformat() if current.pinned_until else None,
        "target": decision.status_code if decision else current.status_code,
        "changes": decision.changes if decision else False,
        "automation": "acts" if decision else "leaves it (pinned or sticky)",
        "explanation": (
            wire_explanation(decision.explanation, outlook=item.outlook).model_dump(mode="json")
            if decision
            else None
        ),
    }


router = APIRouter(prefix="/v1", tags=["rules-engine"])
Reader = Annotated[Principal, Depends(requires(*READERS))]
Sweeper = Annotated[Principal, Depends(requires(*SWEEPERS))]
Runtime = Annotated[ServiceRuntime, Depends(state(ServiceRuntime, "runtime"))]
Clock = Annotated[Callable[[], datetime], Depends(state(Callable, "clock"))]
Stores = Annotated[DecisionStores, Depends(state(Callable, "stores"))]


@router.get("/customers/{customer_id}/activity", response_model=ActivityView)
async def activity(
    customer_id: CustomerIdPath, caller: Reader, runtime: Runtime, clock: Clock
) -> dict[str, Any]:
    """The customer's activity facts and what automation decides for each automatic
    category now, with the explanation."""
    async with runtime.pool.acquire() as conn:
        found = await customer_activity(conn, caller.tenant, customer_id, clock())
    if not found.known:
        raise Problem(404, f"no activity of customer {customer_id}", code="customer_not_found")
    return {
        "customer_id": customer_id,
        "configured": found.configured,
        "facts": _facts(found.facts),
        "summary": _summary(found.summary),
        "evaluations": [_evaluation(e) for e in found.evaluations],
    }


@router.post("/sweeps")
async def sweep(
    caller: Sweeper,
    runtime: Runtime,
    clock: Clock,
    stores: Stores,
    request: SweepRequest | None = None,
) -> SweepResponse:
    """Run the caller's tenant's daily sweep now, as of `as_of` (default: today, UTC)."""
    today = clock().date()
    as_of = (request.as_of if request else None) or today
    simulated = runtime.settings.auth.env in ("development", "test")
    refusal = sweep_day_refusal(as_of, today, simulated_time=simulated)
    if refusal is not None:
        raise Problem(
            422,
            refusal,
            code="as_of_in_future",
            errors=[{"field": "as_of", "reason": "today or earlier"}],
        )
    try:
        result = await sweep_tenant(
            runtime.pool, runtime.schema, caller.tenant, as_of, clock, stores
        )
    except SweepBusy as busy:
        raise Problem(409, "a sweep of this tenant is running", code="sweep_running") from busy
    return SweepResponse(
        tenant=result.tenant,
        since=result.since,
        as_of=result.as_of,
        candidates=result.candidates,
        proposed=result.proposed,
        warned=result.warned,
    )
