"""One test case for both twins of the audit log port (`service.unit_of_work.AuditLog`): the
PostgreSQL one (`integration/test_log_postgres.py`) and the in-memory one the handler tests use
(`unit/test_log_memory.py`). A subclass gives `twin`: an async context manager yielding
(the log, `changes(tenant)` → [(change_id, readable)] in the order written)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from cstatus.audit.service.unit_of_work import AuditLog
from cstatus.contracts import StatusChanged, StatusRef, new_event

Changes = Callable[[str], Awaitable[list[tuple[str, bool]]]]
Twin = Callable[[], AbstractAsyncContextManager[tuple[AuditLog, Changes]]]
AT = datetime(2026, 12, 7, 9, tzinfo=UTC)


def change(tenant: str, customer: str, sequence: int, *, reason: str = "asked") -> Any:
    data = StatusChanged.model_validate(
        {
            "change_id": f"{customer}-{sequence}",
            "category_code": "relationship",
            "from": None,
            "to": StatusRef(code="vip", name="VIP"),
            "source": "manual",
            "actor": "agent.maria",
            "reason": reason,
            "effective_at": AT,
            "sequence": sequence,
            "exclude_from_reports": False,
        }
    )
    return new_event(
        data, id=uuid.uuid4().hex, source="assignment", tenant=tenant, subject=customer, time=AT
    )


class LogCase:
    @pytest.fixture
    def twin(self) -> Twin:
        raise NotImplementedError

    @pytest.fixture
    def tenant(self) -> str:
        return f"au-{uuid.uuid4().hex[:10]}"

    async def test_a_customer_keeps_one_key_until_erased_for_good(
        self, twin: Twin, tenant: str
    ) -> None:
        async with twin() as (log, _):
            first = await log.keys_for_writing([(tenant, "c-1")])
            again = await log.keys_for_writing([(tenant, "c-1"), (tenant, "c-2")])
            assert first[tenant, "c-1"] is not None
            assert again[tenant, "c-1"] == first[tenant, "c-1"]
            assert (await log.tenant_secrets([tenant])) == (await log.tenant_secrets([tenant]))
            await log.erase_customer(tenant, "c-1", erasure_id="e-1", at=AT)
            await log.erase_customer(tenant, "c-1", erasure_id="e-2", at=AT)
            after = await log.keys_for_writing([(tenant, "c-1"), (tenant, "c-2")])
            assert after[tenant, "c-1"] is None
            assert after[tenant, "c-2"] == again[tenant, "c-2"]

    async def test_a_change_is_written_once_and_unreadable_without_a_key(
        self, twin: Twin, tenant: str
    ) -> None:
        async with twin() as (log, changes):
            events = [change(tenant, "c-1", 1), change(tenant, "c-2", 1)]
            keys = await log.keys_for_writing([(tenant, "c-1"), (tenant, "c-2")])
            secrets = await log.tenant_secrets([tenant])
            await log.append_changes(events, keys, secrets)
            await log.append_changes([change(tenant, "c-1", 1)], keys, secrets)  # again
            await log.erase_customer(tenant, "c-2", erasure_id="e-1", at=AT)
            keys = await log.keys_for_writing([(tenant, "c-2")])
            await log.append_changes([change(tenant, "c-2", 2)], keys, secrets)
            assert await changes(tenant) == [("c-1-1", True), ("c-2-1", False), ("c-2-2", False)]
