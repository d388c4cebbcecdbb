"""The in-memory twin of `decision_store.PostgresDecisionStore`, for handler tests in
milliseconds: histories, holdings and outstanding proposals as dicts; what a decision reads
selected by the domain's own `sight.visible` (the SQL is tested to select the same); published
messages kept in order. `tests/rules_engine/decisions_case.py` runs the same case on both."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from cstatus.platform.db.outbox import OutboxMessage
from cstatus.rules_engine.domain.facts import ActivityEvent, CustomerFacts
from cstatus.rules_engine.domain.sight import Sight, visible
from cstatus.rules_engine.domain.tenant import Held

__all__ = ["MemoryDecisionStore"]

Key = tuple[str, str]
"""(tenant, customer)"""


@dataclass
class MemoryDecisionStore:
    events: dict[Key, list[ActivityEvent]] = field(default_factory=dict)
    held: dict[Key, dict[str, Held]] = field(default_factory=dict)
    outstanding: dict[tuple[str, str, str], str | None] = field(default_factory=dict)
    published: list[OutboxMessage] = field(default_factory=list)

    def record(self, tenant: str, customer: str, *events: ActivityEvent) -> None:
        """Store events once each, by id (as the activity table does)."""
        mine = self.events.setdefault((tenant, customer), [])
        known = {e.event_id for e in mine}
        mine.extend(e for e in events if e.event_id not in known)

    async def holdings(self, tenant: str, customers: Sequence[str]) -> dict[str, dict[str, Held]]:
        return {c: dict(self.held[tenant, c]) for c in customers if self.held.get((tenant, c))}

    async def activity(
        self, tenant: str, customers: Sequence[str]
    ) -> dict[str, list[ActivityEvent]]:
        return {c: list(self.events[tenant, c]) for c in customers if (tenant, c) in self.events}

    async def visible(
        self,
        tenant: str,
        customers: Sequence[str],
        sight: Sight,
        anchors: Sequence[tuple[str, str]],
    ) -> dict[str, tuple[CustomerFacts, list[ActivityEvent]]]:
        return {
            c: visible(self.events.get((tenant, c), []), sight, {r for a, r in anchors if a == c})
            for c in customers
        }

    async def claim_proposals(
        self, tenant: str, targets: Sequence[tuple[str, str, str | None]], now: datetime
    ) -> set[tuple[str, str]]:
        fresh: set[tuple[str, str]] = set()
        for customer, category, status in targets:
            key = (tenant, customer, category)
            if key not in self.outstanding or self.outstanding[key] != status:
                self.outstanding[key] = status
                fresh.add((customer, category))
        return fresh

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        self.published.extend(messages)
