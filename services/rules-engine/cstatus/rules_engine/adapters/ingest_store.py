"""The port `service.unit_of_work.IngestStore` in PostgreSQL, on a transaction's connection: the
decision store, and the tables a consumed batch records into."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from cstatus.rules_engine.adapters import activity_store, reevaluations, views
from cstatus.rules_engine.adapters.decision_store import PostgresDecisionStore
from cstatus.rules_engine.adapters.outliers import record_outliers
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.holdings import HoldingChange
from cstatus.rules_engine.domain.tenant import Held, TenantRules
from cstatus.rules_engine.service.unit_of_work import Marking, Outlier

__all__ = ["PostgresIngestStore"]


class PostgresIngestStore(PostgresDecisionStore):
    async def rules(self, tenants: Iterable[str]) -> dict[str, TenantRules]:
        return await views.load_rules(self._conn, tenants)

    async def store_configs(self, configs: Sequence[tuple[str, int, str]]) -> list[str]:
        return await views.store_configs(self._conn, configs)

    async def record_customers(self, pairs: Sequence[tuple[str, str]]) -> None:
        await activity_store.record_customers(self._conn, pairs)

    async def erased(self, pairs: Sequence[tuple[str, str]]) -> set[tuple[str, str]]:
        return await activity_store.erased_customers(self._conn, pairs)

    async def record_activity(self, rows: Sequence[tuple[str, str, ActivityEvent]]) -> None:
        await activity_store.record_activity(self._conn, rows)

    async def erase(self, pairs: Sequence[tuple[str, str]]) -> None:
        await activity_store.erase_activity(self._conn, pairs)

    async def record_changes(self, changes: Sequence[HoldingChange]) -> None:
        await views.record_changes(self._conn, changes)

    async def start_reevaluations(
        self, tenant: str, version: int, categories: Sequence[str]
    ) -> None:
        await reevaluations.record_jobs(self._conn, tenant, version, categories)

    async def swept_ahead(self, tenants: Sequence[str], now: datetime) -> dict[str, datetime]:
        return await views.swept_ahead(self._conn, tenants, now)

    async def marked_holdings(
        self, tenant: str, customers: Sequence[str], marking: Marking
    ) -> dict[str, dict[str, Held]]:
        return await views.load_holdings(self._conn, tenant, customers, marking=marking)

    async def record_outliers(self, outliers: Sequence[Outlier]) -> None:
        await record_outliers(self._conn, outliers)
