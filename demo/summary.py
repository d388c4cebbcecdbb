"""What the demo shows at the end: who holds what, why things changed, outliers and refusals."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from typing import Any

from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.contracts.rejections import StatusRejected
from cstatus.contracts.topics import OUTLIERS, REJECTIONS
from demo.api import Api, Refusal
from demo.census import Census
from demo.provision import LOYALTY, LOYALTY_WINDOW_DAYS
from demo.scenarios import Acts
from demo.topic_reader import read_since

__all__ = ["Summary", "gather"]

_MAX_PAGES = 100
_SAMPLES = (
    {"category": "relationship", "status": "client", "source": "automatic"},
    {"category": "relationship", "status": "inactive", "source": "automatic"},
    {"category": "loyalty", "status": "gold", "source": "automatic"},
    {"category": "loyalty", "status": "silver", "source": "automatic"},
    {"category": "lifecycle", "status": "fraud_suspected", "source": "automatic"},
    {"source": "manual", "limit": 5},
)


@dataclass(frozen=True, slots=True)
class Outlier:
    customer: str
    transaction_id: str
    status_code: str
    reason: str


@dataclass(frozen=True, slots=True)
class Rejection:
    customer: str
    ref_id: str
    category_code: str
    status_code: str | None
    reason_code: str
    message: str


@dataclass(frozen=True, slots=True)
class CounterAnswer:
    customer: str
    holds: str
    """The status that matters for the question (category:status)."""
    question: str
    allowed: bool
    detail: str
    """The consent state, or the rules that refused, or the warnings."""


@dataclass(frozen=True, slots=True)
class Summary:
    tenant: str
    customers: int
    categories: list[dict[str, Any]]
    """The tenant's categories (code, name, statuses with code and name), in configuration order."""
    counts: dict[str, dict[str, int]]
    """category → status code (`none` for no status) → customers."""
    sources: dict[str, int]
    """Changes in the audit log per source (`system`, `automatic`, `manual`, `external`)."""
    changes: list[dict[str, Any]]
    """A sample of audited changes, with their explanations."""
    history: list[dict[str, Any]]
    """The audited history of the `fraud_suspected` customer, oldest first."""
    outliers: list[Outlier]
    refusals: list[Refusal]
    rejections: list[Rejection]
    acts: Acts
    sweep: dict[str, Any]
    answers: list[CounterAnswer]
    """What the counter and upstream systems are answered for a few customers (`/v1/checks`)."""
    preview: dict[str, Any]
    """`POST /v1/previews` of gold needing one stay more (SPEC 1.9), with `question`."""
    approvals: list[dict[str, Any]]
    """The tenant's approval requests (SPEC 1.8), newest first."""

    def as_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "customers": self.customers,
            "counts": self.counts,
            "changes_by_source": self.sources,
            "fraud_suspected": self.acts.fraud_suspected,
            "acts": asdict(self.acts),
            "sweep": self.sweep,
            "changes": self.changes,
            "history": self.history,
            "outliers": [asdict(o) for o in self.outliers],
            "refusals": [asdict(r) for r in self.refusals],
            "rejections": [asdict(r) for r in self.rejections],
            "counter_answers": [asdict(a) for a in self.answers],
            "preview": self.preview,
            "approvals": self.approvals,
        }


async def _changes(api: Api) -> list[dict[str, Any]]:
    sample: list[dict[str, Any]] = []
    for query in _SAMPLES:
        params = {"order": "desc", "limit": 1, **query}
        page = await api.ok("GET", "audit", "/v1/changes", params=params)
        sample.extend(page["items"])
    return sample


async def _sources(api: Api) -> dict[str, int]:
    """Every audited change of the tenant, counted per source (at most 100 pages of 500)."""
    counted: Counter[str] = Counter()
    params: dict[str, Any] = {"limit": 500, "include_excluded": "true"}
    for _ in range(_MAX_PAGES):
        page = await api.ok("GET", "audit", "/v1/changes", params=params)
        counted.update(c["source"] for c in page["items"])
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    return dict(counted.most_common())


async def _counts(api: Api, categories: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Customers per status of each category (inactive ones too), counted by the directory's
    `/v1/status-counts` without paging through every customer."""
    counts: dict[str, dict[str, int]] = {}
    for category in categories:
        params = {"category": category["code"], "include_inactive": "true"}
        found = await api.ok("GET", "assignment", "/v1/status-counts", params=params)
        counts[category["code"]] = {**found["counts"], "none": found["none"]}
    return counts


async def _answer(
    api: Api, customer: str, holds: str, question: str, body: dict[str, Any]
) -> CounterAnswer:
    found = await api.ok(
        "POST",
        "assignment",
        "/v1/checks",
        role="status:system",
        json={"customer_id": customer, **body},
    )
    details = [f"consent {found['consent']}"] if "consent" in found else []
    details += [f"{r['category_code']}:{r['status_code']} {r['rule']}" for r in found["reasons"]]
    details += [
        f"warning {w['rule']} (usual staff {w['usual_staff_id']})" for w in found["warnings"]
    ]
    return CounterAnswer(customer, holds, question, found["allowed"], "; ".join(details))


async def _counter_answers(api: Api, census: Census) -> list[CounterAnswer]:
    """Marketing for two gold guests (gold implies consent unless they objected), and a
    bronze guest's next booking against their two-a-week limit, today and in a week."""
    answers = []
    for customer in census.holders("loyalty", "gold")[:2]:
        answers.append(
            await _answer(api, customer, "loyalty:gold", "marketing?", {"action": "marketing"})
        )
    for customer in census.holders("loyalty", "bronze")[:1]:
        for days in (0, 7):
            day = (date.today() + timedelta(days=days)).isoformat()
            answers.append(
                await _answer(
                    api,
                    customer,
                    "loyalty:bronze",
                    f"book on {day}?",
                    {"action": "book", "appointment_date": day},
                )
            )
    return answers


async def _preview(api: Api) -> dict[str, Any]:
    """What raising gold by one stay would do to every customer, changing nothing."""
    gold = LOYALTY[-1]
    rule = {
        "type": "count",
        "metric": "reservations",
        "min": gold.min_stays + 1,
        "max": None,
        "window_days": LOYALTY_WINDOW_DAYS,
    }
    body = {
        "rule": {"category_code": "loyalty", "status_code": gold.code, "rule": rule},
        "sample": 3,
    }
    found = await api.ok("POST", "rules-engine", "/v1/previews", role="status:admin", json=body)
    question = f"gold needing {gold.min_stays + 1} stays in {LOYALTY_WINDOW_DAYS} days, not {gold.min_stays}"
    return {"question": question, **found}


async def gather(
    api: Api, census: Census, acts: Acts, sweep: dict[str, Any], since_ms: int
) -> Summary:
    """Collect the summary from the services' APIs and the tenant's outliers and rejections."""
    categories = (await api.ok("GET", "status-config", "/v1/categories"))["items"]
    counts = await _counts(api, categories)
    path = f"/v1/customers/{acts.fraud_suspected}/history"
    history = await api.ok("GET", "audit", path, params={"order": "asc", "limit": 20})
    outliers = await read_since(OUTLIERS, CloudEvent[TransactionOutlier], api.tenant, since_ms)
    rejections = await read_since(REJECTIONS, CloudEvent[StatusRejected], api.tenant, since_ms)
    return Summary(
        tenant=api.tenant,
        customers=census.customers,
        categories=categories,
        counts=counts,
        sources=await _sources(api),
        changes=await _changes(api),
        history=history["items"],
        outliers=[
            Outlier(o.subject, o.data.transaction_id, o.data.status_code, o.data.reason)
            for o in outliers
        ],
        refusals=acts.refusals,
        rejections=[
            Rejection(
                r.subject,
                r.data.ref_id,
                r.data.category_code,
                r.data.status_code,
                r.data.reason_code,
                r.data.message,
            )
            for r in rejections
        ],
        acts=acts,
        sweep=sweep,
        answers=await _counter_answers(api, census),
        preview=await _preview(api),
        approvals=(await api.ok("GET", "assignment", "/v1/approvals"))["items"],
    )
