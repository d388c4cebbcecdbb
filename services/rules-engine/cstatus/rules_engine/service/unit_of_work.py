"""What deciding needs from storage (the port `decide` takes; `adapters/` implements it twice:
`decision_store.PostgresDecisionStore` on a transaction's connection, and the in-memory twin
`memory_decisions.MemoryDecisionStore` handler tests use)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

import asyncpg

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts
from cstatus.rules_engine.domain.sight import Sight
from cstatus.rules_engine.domain.tenant import Held

__all__ = ["DecisionStore", "DecisionStores"]


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


DecisionStores = Callable[[asyncpg.Connection], DecisionStore]
"""Opens the port on a transaction's connection; `bootstrap.py` builds the PostgreSQL one, and
every handler that decides (ingest, sweep, warnings, re-evaluation) is given it."""
