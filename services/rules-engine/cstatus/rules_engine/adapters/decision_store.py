"""The port `service.unit_of_work.DecisionStore` in PostgreSQL, on a transaction's connection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg

from cstatus.platform.db.outbox import OutboxMessage, enqueue
from cstatus.rules_engine.adapters.activity_store import load_activity, load_visible
from cstatus.rules_engine.adapters.views import claim_proposals, load_holdings
from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts
from cstatus.rules_engine.domain.sight import Sight
from cstatus.rules_engine.domain.tenant import Held

__all__ = ["PostgresDecisionStore"]


class PostgresDecisionStore:
    def __init__(self, conn: asyncpg.Connection, schema: str) -> None:
        self._conn = conn
        self._schema = schema

    async def holdings(self, tenant: str, customers: Sequence[str]) -> dict[str, dict[str, Held]]:
        return await load_holdings(self._conn, tenant, customers)

    async def activity(
        self, tenant: str, customers: Sequence[str]
    ) -> dict[str, list[ActivityEvent]]:
        return await load_activity(self._conn, tenant, customers)

    async def visible(
        self,
        tenant: str,
        customers: Sequence[str],
        sight: Sight,
        anchors: Sequence[tuple[str, str]],
    ) -> dict[str, tuple[CustomerFacts, list[ActivityEvent]]]:
        return await load_visible(self._conn, tenant, customers, sight, anchors)

    async def claim_proposals(
        self, tenant: str, targets: Sequence[tuple[str, str, str | None]], now: datetime
    ) -> set[tuple[str, str]]:
        return await claim_proposals(self._conn, tenant, targets, now)

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        await enqueue(self._conn, self._schema, messages)
