"""The in-memory ingest store passes the case its PostgreSQL twin passes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import date

import pytest
from ingest_case import IngestCase, IngestTwin, IngestTwins

from cstatus.rules_engine.adapters.memory_ingest import MemoryIngestStore

pytestmark = pytest.mark.unit


class TestMemoryIngest(IngestCase):
    @pytest.fixture
    def twin(self) -> IngestTwins:
        @contextlib.asynccontextmanager
        async def open_twin() -> AsyncIterator[IngestTwin]:
            store = MemoryIngestStore()

            async def jobs(tenant: str) -> dict[str, int]:
                return {k: v for (t, k), v in store.jobs.items() if t == tenant}

            async def outliers(tenant: str, customer: str) -> list[str]:
                return sorted(e for t, c, e in store.outliers if (t, c) == (tenant, customer))

            async def sweep(tenant: str, day: date) -> None:
                store.sweeps[tenant] = max(day, store.sweeps.get(tenant, day))

            yield IngestTwin(store, jobs, outliers, sweep)

        return open_twin
