"""status-config's handlers on the in-memory unit of work (issue 17): what each command writes
and publishes, and that a refused one leaves nothing behind — in milliseconds, no PostgreSQL or
Kafka (the same handlers run on PostgreSQL in `tests/status_config/integration`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cstatus.contracts import decode_input, topics
from cstatus.status_config.adapters.memory_unit_of_work import MemoryStore, memory_unit_of_work
from cstatus.status_config.domain.errors import ConfigError
from cstatus.status_config.domain.model import Edit
from cstatus.status_config.service.categories import create_category, delete_category
from cstatus.status_config.service.statuses import create_status
from cstatus.status_config.service.tenants import provision_tenant

pytestmark = pytest.mark.unit

EDIT = Edit(datetime(2026, 12, 7, 9, tzinfo=UTC), "admin-1")
TENANT = "acme"


def _published(store: MemoryStore) -> list[tuple[int, list[str]]]:
    """(version, category codes) of every configuration published."""
    found = []
    for topic, key, value in store.published:
        assert (topic, key) == (topics.CONFIG, TENANT.encode())
        event = decode_input(topic, value)
        found.append((event.data.version, [c.code for c in event.data.config.categories]))
    return found


async def _provisioned() -> MemoryStore:
    store = MemoryStore()
    async with memory_unit_of_work(store) as uow:
        await provision_tenant(uow, TENANT, default_language="en", seed_defaults=True, edit=EDIT)
    return store


async def test_provisioning_seeds_the_defaults_once_and_publishes_each_version() -> None:
    store = await _provisioned()
    assert _published(store) == [(1, ["relationship", "lifecycle"])]
    async with memory_unit_of_work(store) as uow:  # again: nothing changes, nothing published
        tenant, created = await provision_tenant(
            uow, TENANT, default_language="en", seed_defaults=True, edit=EDIT
        )
    assert (tenant.version, created, len(store.published)) == (1, False, 1)
    assert store.history[TENANT, 1].actor == "admin-1"


async def test_a_status_of_a_system_state_starts_from_its_meaning() -> None:
    store = await _provisioned()
    async with memory_unit_of_work(store) as uow:
        category = await create_category(
            uow, TENANT, {"code": "risk", "name": "Risk", "update_mode": "manual"}, edit=EDIT
        )
        status = await create_status(
            uow,
            TENANT,
            category.id,
            {"code": "closed", "name": "Closed", "colour": "#000000", "system_state": "deleted"},
            edit=EDIT,
        )
    assert status.status.requires_approval and not status.status.sticky
    assert status.status.properties.can_transact is False
    assert [v for v, _ in _published(store)] == [1, 2, 3]
    assert _published(store)[-1][1] == ["relationship", "lifecycle", "risk"]


async def test_a_refused_command_writes_and_publishes_nothing() -> None:
    store = await _provisioned()
    before = (dict(store.categories), len(store.published), dict(store.tenants))
    with pytest.raises(ConfigError) as refused:
        async with memory_unit_of_work(store) as uow:
            [relationship] = [
                c for c in await uow.repo.categories(TENANT) if c.category.code == "relationship"
            ]
            await create_status(
                uow,
                TENANT,
                relationship.id,
                {"code": "vip", "name": "VIP again", "colour": "#000000"},
                edit=EDIT,
            )
    assert (refused.value.status, refused.value.code) == (409, "code_taken")
    assert (dict(store.categories), len(store.published), dict(store.tenants)) == before


async def test_a_category_must_be_archived_before_it_goes() -> None:
    store = await _provisioned()
    async with memory_unit_of_work(store) as uow:
        [lifecycle] = [
            c for c in await uow.repo.categories(TENANT) if c.category.code == "lifecycle"
        ]
    with pytest.raises(ConfigError) as refused:
        async with memory_unit_of_work(store) as uow:
            await delete_category(uow, TENANT, lifecycle.id, if_match=None, edit=EDIT)
    assert refused.value.code == "archive_first"


async def test_an_unprovisioned_tenant_is_told_to_provision_first() -> None:
    store = MemoryStore()
    with pytest.raises(ConfigError) as refused:
        async with memory_unit_of_work(store) as uow:
            await create_category(
                uow, TENANT, {"code": "x", "name": "X", "update_mode": "manual"}, edit=EDIT
            )
    assert (refused.value.status, refused.value.code) == (409, "tenant_not_provisioned")
    assert store.published == []
