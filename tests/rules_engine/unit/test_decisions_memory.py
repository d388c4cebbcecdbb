"""The in-memory decision store passes the case its PostgreSQL twin passes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from decisions_case import DecisionsCase, Twin, Twins

from cstatus.rules_engine.adapters.memory_decisions import MemoryDecisionStore
from cstatus.rules_engine.domain.facts import ActivityEvent
from cstatus.rules_engine.domain.tenant import Held

pytestmark = pytest.mark.unit


def memory_twin() -> Twins:
    @contextlib.asynccontextmanager
    async def open_twin() -> AsyncIterator[Twin]:
        store = MemoryDecisionStore()

        async def record(tenant: str, customer: str, events: list[ActivityEvent]) -> None:
            store.record(tenant, customer, *events)

        async def hold(tenant: str, customer: str, category: str, held: Held) -> None:
            store.held.setdefault((tenant, customer), {})[category] = held

        yield Twin(store, record, hold)

    return open_twin


class TestMemoryDecisions(DecisionsCase):
    @pytest.fixture
    def twin(self) -> Twins:
        return memory_twin()
