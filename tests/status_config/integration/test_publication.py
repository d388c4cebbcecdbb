"""Every change publishes the tenant's whole configuration on the compacted config topic, so a
consumer that reads that topic alone from the beginning rebuilds what the API returns."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from cstatus.contracts.configuration import ConfigPublished
from cstatus.contracts.envelope import tenant_key
from cstatus.contracts.registry import decode_input
from cstatus.contracts.topics import CONFIG

pytestmark = pytest.mark.integration


async def _rebuild(bootstrap: str, tenant: str, version: int) -> tuple[dict[str, Any], list[int]]:
    """What a fresh consumer knows of `tenant` once it has seen `version`: the newest document
    and every version it saw, in order."""
    consumer = AIOKafkaConsumer(
        CONFIG,
        bootstrap_servers=bootstrap,
        group_id=f"t-rebuild-{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    newest: dict[str, Any] = {}
    seen: list[int] = []
    try:
        async with asyncio.timeout(30):
            while not seen or max(seen) < version:
                batch = await consumer.getmany(timeout_ms=500)
                for record in (r for part in batch.values() for r in part):
                    if record.key != tenant_key(tenant):
                        continue
                    event = decode_input(CONFIG, record.value)
                    assert isinstance(event.data, ConfigPublished)
                    assert event.subject == tenant and event.data.tenant == tenant
                    seen.append(event.data.version)
                    if event.data.version == max(seen):
                        newest = event.data.model_dump(mode="json")
    finally:
        await consumer.stop()
    return newest, seen


async def test_a_fresh_consumer_rebuilds_exactly_what_the_api_returns(
    stack: Any, admin: httpx.AsyncClient, tenant: str
) -> None:
    await admin.put("/v1/tenant", json={"seed_defaults": True, "default_language": "de"})
    category = (
        await admin.post(
            "/v1/categories",
            json={"code": "loyalty", "name": "Treue", "update_mode": "automatic"},
        )
    ).json()
    gold = (
        await admin.post(
            f"/v1/categories/{category['id']}/statuses",
            json={
                "code": "gold",
                "name": "Gold",
                "colour": "#FFD700",
                "properties": {"max_appointments": {"count": 2, "period_days": 7}},
            },
        )
    ).json()
    await admin.put(
        f"/v1/statuses/{gold['id']}/rule",
        json={"type": "count", "metric": "reservations", "min": 5, "window_days": 365},
    )
    await admin.put(f"/v1/statuses/{gold['id']}/translations/en", json={"name": "Gold tier"})
    await admin.put(
        f"/v1/statuses/{gold['id']}/icon",
        content=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32,
        headers={"content-type": "image/png"},
    )
    old = (
        await admin.post(
            f"/v1/categories/{category['id']}/statuses",
            json={"code": "old", "name": "Alt", "colour": "#000000", "archived": True},
        )
    ).json()
    await admin.delete(f"/v1/statuses/{old['id']}")
    refused = await admin.post(
        f"/v1/categories/{category['id']}/statuses", json={"code": "x y", "colour": "#000000"}
    )
    assert refused.status_code == 422  # refused changes publish nothing

    api = await admin.get("/v1/config")
    assert api.status_code == 200
    expected = api.json()
    assert expected["version"] == 9

    rebuilt, versions = await _rebuild(stack.kafka_bootstrap, tenant, expected["version"])
    assert rebuilt == expected
    assert versions == list(range(1, expected["version"] + 1))
    codes = [c["code"] for c in rebuilt["config"]["categories"]]
    assert codes == ["relationship", "lifecycle", "loyalty"]


async def test_concurrent_writers_of_one_tenant_get_consecutive_versions(
    admin: httpx.AsyncClient,
) -> None:
    responses = await asyncio.gather(
        *(
            admin.post(
                "/v1/categories", json={"code": f"c{n}", "name": f"C{n}", "update_mode": "manual"}
            )
            for n in range(8)
        )
    )
    assert all(r.status_code == 201 for r in responses)
    published = (await admin.get("/v1/config")).json()
    assert published["version"] == 1 + 8
    assert len(published["config"]["categories"]) == 8
