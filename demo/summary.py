"""What the demo shows at the end: who holds what, why things changed, outliers and refusals."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from cstatus.contracts.envelope import CloudEvent
from cstatus.contracts.outliers import TransactionOutlier
from cstatus.contracts.rejections import StatusRejected
from cstatus.contracts.topics import OUTLIERS, REJECTIONS
from demo.api import Api, Refusal
from demo.census import Census
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


async def gather(
    api: Api, census: Census, acts: Acts, sweep: dict[str, Any], since_ms: int
) -> Summary:
    """Collect the summary from the services' APIs and the tenant's outliers and rejections."""
    categories = (await api.ok("GET", "status-config", "/v1/categories"))["items"]
    counts = {
        c["code"]: {(s or "none"): n for s, n in census.count(c["code"]).items()}
        for c in categories
    }
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
    )
