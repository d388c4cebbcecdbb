"""The in-memory twin of `ingest_store.PostgresIngestStore`, for handler tests in milliseconds:
configurations, customers, re-evaluation jobs, sweeps and outliers as dicts, on top of the
decision store's twin; holdings changed by the domain's own `after_changes`, erasure by its own
pseudonyms. `tests/rules_engine/ingest_case.py` runs the same case on both."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from cstatus.rules_engine.adapters.configuration import rules_from_document
from cstatus.rules_engine.adapters.memory_decisions import Key, MemoryDecisionStore
from cstatus.rules_engine.domain.erasure import pseudonymised
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.holdings import HoldingChange, after_changes
from cstatus.rules_engine.domain.tenant import Held, TenantRules
from cstatus.rules_engine.service.unit_of_work import Marking, Outlier

__all__ = ["MemoryIngestStore"]


@dataclass
class MemoryIngestStore(MemoryDecisionStore):
    configs: dict[str, tuple[int, str]] = field(default_factory=dict)
    """tenant -> (version, JSON document)"""
    customers: dict[Key, bool] = field(default_factory=dict)
    """(tenant, customer) -> erased"""
    jobs: dict[tuple[str, str], int] = field(default_factory=dict)
    """(tenant, category) -> the version its re-evaluation job is for"""
    sweeps: dict[str, date] = field(default_factory=dict)
    """tenant -> the day its last sweep was as of"""
    outliers: dict[tuple[str, str, str], Outlier] = field(default_factory=dict)

    async def rules(self, tenants: Iterable[str]) -> dict[str, TenantRules]:
        return {t: rules_from_document(*self.configs[t]) for t in set(tenants) if t in self.configs}

    async def store_configs(self, configs: Sequence[tuple[str, int, str]]) -> list[str]:
        updated: set[str] = set()
        for tenant, version, document in configs:
            if tenant not in self.configs or version > self.configs[tenant][0]:
                self.configs[tenant] = (version, document)
                updated.add(tenant)
        return sorted(updated)

    async def record_customers(self, pairs: Sequence[Key]) -> None:
        for pair in pairs:
            self.customers.setdefault(pair, False)

    async def erased(self, pairs: Sequence[Key]) -> set[Key]:
        return {p for p in pairs if self.customers.get(p)}

    async def record_activity(self, rows: Sequence[tuple[str, str, ActivityEvent]]) -> None:
        for tenant, customer, event in rows:
            self.record(tenant, customer, event)

    async def erase(self, pairs: Sequence[Key]) -> None:
        for tenant, customer in sorted(set(pairs)):
            if self.customers.get((tenant, customer), True):
                continue  # unknown, or erased before: the pseudonyms stay as they are
            stored = self.events.get((tenant, customer), [])
            self.events[tenant, customer] = [pseudonymised(tenant, customer, e) for e in stored]
            for key in [k for k in self.outliers if k[:2] == (tenant, customer)]:
                del self.outliers[key]
            self.customers[tenant, customer] = True

    async def record_changes(self, changes: Sequence[HoldingChange]) -> None:
        every: dict[tuple[str, str, str], list[HoldingChange]] = {}
        for change in changes:
            every.setdefault((change.tenant, change.customer, change.category), []).append(change)
        for (tenant, customer, category), mine in every.items():
            held = self.held.setdefault((tenant, customer), {})
            after = after_changes(held.get(category), mine)
            if after is not None:
                held[category] = after
                self.outstanding.pop((tenant, customer, category), None)

    async def start_reevaluations(
        self, tenant: str, version: int, categories: Sequence[str]
    ) -> None:
        for category in categories:
            if self.jobs.get((tenant, category), -1) < version:
                self.jobs[tenant, category] = version

    async def swept_ahead(self, tenants: Sequence[str], now: datetime) -> dict[str, datetime]:
        return {
            t: datetime.combine(self.sweeps[t], time.min, UTC)
            for t in tenants
            if t in self.sweeps and self.sweeps[t] > now.date()
        }

    async def marked_holdings(
        self, tenant: str, customers: Sequence[str], marking: Marking
    ) -> dict[str, dict[str, Held]]:
        states, pairs = marking
        found: dict[str, dict[str, Held]] = {}
        for customer, held in (await self.holdings(tenant, customers)).items():
            marked = {
                code: h
                for code, h in held.items()
                if h.system_state in states or (code, h.current.status_code) in pairs
            }
            if marked:
                found[customer] = marked
        return found

    async def record_outliers(self, outliers: Sequence[Outlier]) -> None:
        for outlier in outliers:
            self.outliers.setdefault((outlier.tenant, outlier.customer, outlier.event_id), outlier)
