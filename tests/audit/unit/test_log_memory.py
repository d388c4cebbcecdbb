"""The in-memory audit log passes the case its PostgreSQL twin passes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from log_case import Changes, LogCase, Twin

from cstatus.audit.adapters.memory_log import MemoryAuditLog
from cstatus.audit.service.unit_of_work import AuditLog

pytestmark = pytest.mark.unit


class TestMemoryLog(LogCase):
    @pytest.fixture
    def twin(self) -> Twin:
        @contextlib.asynccontextmanager
        async def open_twin() -> AsyncIterator[tuple[AuditLog, Changes]]:
            log = MemoryAuditLog()

            async def changes(tenant: str) -> list[tuple[str, bool]]:
                return [(e.ident, e.personal is not None) for e in log.log("change")]

            yield log, changes

        return open_twin
