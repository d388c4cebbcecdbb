"""One test case for both twins of status-config's unit of work (issue 17): the PostgreSQL one
(`tests/status_config/integration/test_repository_postgres.py`) and the in-memory one handler
tests use (`tests/status_config/unit/test_repository_memory.py`). A subclass gives `units`: a
function returning a fresh `async with` unit of work on a store shared by the test."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from cstatus.contracts.configuration import CategoryConfig, StatusConfig
from cstatus.status_config.domain.model import Icon, Tenant
from cstatus.status_config.service.ports import UnitOfWork

Units = Callable[[], AbstractAsyncContextManager[UnitOfWork]]
AT = datetime(2026, 12, 7, 9, tzinfo=UTC)


def _category(code: str) -> CategoryConfig:
    return CategoryConfig(
        id=f"cat-{uuid.uuid4().hex[:8]}", code=code, name=code.title(), update_mode="manual"
    )


def _status(code: str) -> StatusConfig:
    return StatusConfig(
        id=f"st-{uuid.uuid4().hex[:8]}", code=code, name=code.title(), colour="#FFD700"
    )


class RepositoryCase:
    @pytest.fixture
    def units(self) -> Units:
        raise NotImplementedError

    @pytest.fixture
    def tenant(self) -> str:
        return f"t-{uuid.uuid4().hex[:10]}"

    async def _provisioned(self, units: Units, tenant: str) -> None:
        async with units() as uow:
            await uow.repo.save_tenant(Tenant(tenant, "en"))

    async def test_rows_keep_their_order_and_bump_their_version(
        self, units: Units, tenant: str
    ) -> None:
        await self._provisioned(units, tenant)
        first, second = _category("first"), _category("second")
        async with units() as uow:
            added = await uow.repo.add_category(tenant, first)
            await uow.repo.add_category(tenant, second)
            assert added.version == 1 and added.category.statuses == ()
        async with units() as uow:
            renamed = first.model_copy(update={"name": "Renamed"})
            replaced = await uow.repo.replace_category(tenant, renamed)
            assert replaced.version == 2
        async with units() as uow:
            found = await uow.repo.categories(tenant)
            assert [c.category.code for c in found] == ["first", "second"]
            assert found[0].category.name == "Renamed" and found[0].version == 2

    async def test_another_tenant_sees_nothing(self, units: Units, tenant: str) -> None:
        other = f"{tenant}-other"
        await self._provisioned(units, tenant)
        await self._provisioned(units, other)
        category = _category("mine")
        async with units() as uow:
            await uow.repo.add_category(tenant, category)
            status = _status("gold")
            await uow.repo.add_status(tenant, category.id, status)
        async with units() as uow:
            assert await uow.repo.categories(other) == []
            assert await uow.repo.category(other, category.id) is None
            assert await uow.repo.status(other, status.id) is None
            assert await uow.repo.statuses(other) == []

    async def test_a_category_takes_its_statuses_and_their_icons_with_it(
        self, units: Units, tenant: str
    ) -> None:
        await self._provisioned(units, tenant)
        category, status = _category("loyalty"), _status("gold")
        icon = Icon("image/png", b"\x89PNG", '"abc123"')
        async with units() as uow:
            await uow.repo.add_category(tenant, category)
            await uow.repo.add_status(tenant, category.id, status)
            await uow.repo.save_icon(tenant, status.id, icon)
        async with units() as uow:
            assert await uow.repo.icon(tenant, status.id) == icon
            assert await uow.repo.icon_by_digest("abc123") == icon
            await uow.repo.delete_category(tenant, category.id)
        async with units() as uow:
            assert await uow.repo.statuses(tenant) == []
            assert await uow.repo.icon(tenant, status.id) is None

    async def test_codes_are_unique_and_a_failed_unit_changes_nothing(
        self, units: Units, tenant: str
    ) -> None:
        await self._provisioned(units, tenant)
        async with units() as uow:
            await uow.repo.add_category(tenant, _category("loyalty"))
        with pytest.raises(Exception):  # noqa: B017 - each twin raises its own kind
            async with units() as uow:
                await uow.repo.add_category(tenant, _category("extra"))
                await uow.repo.add_category(tenant, _category("loyalty"))
        async with units() as uow:
            assert [c.category.code for c in await uow.repo.categories(tenant)] == ["loyalty"]

    async def test_history_newest_first_before_a_version(self, units: Units, tenant: str) -> None:
        await self._provisioned(units, tenant)
        async with units() as uow:
            for version in (1, 2, 3):
                document: dict[str, Any] = {"categories": [], "n": version}
                await uow.repo.record_version(tenant, version, AT, "admin", document)
        async with units() as uow:
            found = await uow.repo.history(tenant, before_version=3, limit=5)
            assert [e.version for e in found] == [2, 1]
            one = await uow.repo.version(tenant, 1)
            assert one is not None and one.document["n"] == 1 and one.actor == "admin"
            assert await uow.repo.version(tenant, 9) is None
