"""The rules engine's ports, on one transaction: `DecisionStore`, what deciding needs (`decide`
takes it), and `IngestStore`, what recording one consumed batch needs besides (`ingest` takes
it). `adapters/` implements each twice: `decision_store.PostgresDecisionStore` and
`ingest_store.PostgresIngestStore` on a transaction's connection, and the in-memory twins
`memory_decisions.MemoryDecisionStore` and `memory_ingest.MemoryIngestStore` the handler tests use
(one test case runs on both: `tests/rules_engine/decisions_case.py`, `ingest_case.py`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import asyncpg

from cstatus.contracts.outliers import TransactionOutlier
from cstatus.platform.db.outbox import OutboxMessage
from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts
from cstatus.rules_engine.domain.holdings import HoldingChange
from cstatus.rules_engine.domain.sight import Sight
from cstatus.rules_engine.domain.tenant import Held, TenantRules

__all__ = ["DecisionStore", "DecisionStores", "IngestStore", "IngestStores", "Marking", "Outlier"]

Pair = tuple[str, str]
"""(tenant, customer)"""

Marking = tuple[Collection[str], Collection[tuple[str, str]]]
"""(system states, (category, status) pairs): the holdings that make transactions outliers."""


@dataclass(frozen=True, slots=True)
class Outlier:
    """A transaction flagged as an outlier, as recorded for the customer's activity summary."""

    tenant: str
    customer: str
    event_id: str
    data: TransactionOutlier
    at: datetime


class DecisionStore(Protocol):
    """One tenant's customers inside one transaction."""

    async def holdings(self, tenant: str, customers: Sequence[str]) -> dict[str, dict[str, Held]]:
        """customer -> category code -> what the customer holds there."""
        ...

    async def activity(
        self, tenant: str, customers: Sequence[str]
    ) -> dict[str, list[ActivityEvent]]:
        """Each customer's whole stored history."""
        ...

    async def visible(
        self,
        tenant: str,
        customers: Sequence[str],
        sight: Sight,
        anchors: Sequence[tuple[str, str]],
    ) -> dict[str, tuple[CustomerFacts, list[ActivityEvent]]]:
        """Per customer, what a decision under `sight` reads (`domain/sight.visible`)."""
        ...

    async def claim_proposals(
        self, tenant: str, targets: Sequence[tuple[str, str, str | None]], now: datetime
    ) -> set[tuple[str, str]]:
        """Record (customer, category, target) as outstanding; the pairs whose target differs
        from the one outstanding (worth proposing)."""
        ...

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Into the outbox, with the transaction."""
        ...


class IngestStore(DecisionStore, Protocol):
    """What one consumed batch records, inside its transaction."""

    async def rules(self, tenants: Iterable[str]) -> dict[str, TenantRules]:
        """The current rules of each configured tenant among `tenants`."""
        ...

    async def store_configs(self, configs: Sequence[tuple[str, int, str]]) -> list[str]:
        """Keep (tenant, version, JSON document) where the version is higher than the one kept;
        the tenants updated, sorted."""
        ...

    async def record_customers(self, pairs: Sequence[Pair]) -> None: ...

    async def erased(self, pairs: Sequence[Pair]) -> set[Pair]:
        """Those of `pairs` whose customer was erased."""
        ...

    async def record_activity(self, rows: Sequence[tuple[str, str, ActivityEvent]]) -> None:
        """Store (tenant, customer, event); an event already stored (by id) is left alone."""
        ...

    async def erase(self, pairs: Sequence[Pair]) -> None:
        """SPEC §1 v2, erasure: pseudonymise the customers' stored ids (`domain/erasure`) once,
        forget their outlier transactions, and mark them erased."""
        ...

    async def record_changes(self, changes: Sequence[HoldingChange]) -> None:
        """Apply the changes to the holdings (`domain/holdings.after_changes`); a change kept
        ends the outstanding proposal of its category."""
        ...

    async def start_reevaluations(
        self, tenant: str, version: int, categories: Sequence[str]
    ) -> None:
        """Start (or restart, for a newer version) the re-evaluation job of each category."""
        ...

    async def swept_ahead(self, tenants: Sequence[str], now: datetime) -> dict[str, datetime]:
        """Tenants swept as of a day after `now`, with the start of that day."""
        ...

    async def marked_holdings(
        self, tenant: str, customers: Sequence[str], marking: Marking
    ) -> dict[str, dict[str, Held]]:
        """`holdings`, only those `marking` names (the rare ones: the common answer is none)."""
        ...

    async def record_outliers(self, outliers: Sequence[Outlier]) -> None:
        """Record each once (by tenant, customer and event id)."""
        ...


DecisionStores = Callable[[asyncpg.Connection], DecisionStore]
"""Opens the port on a transaction's connection; `bootstrap.py` builds the PostgreSQL one, and
every handler that decides (sweep, warnings, re-evaluation) is given it."""

IngestStores = Callable[[asyncpg.Connection], IngestStore]
"""The same for the consumed batches' handler."""
