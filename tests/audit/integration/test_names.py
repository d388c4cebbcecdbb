"""History, as-of, timeline and the change search name statuses in the reader's language."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.configuration import (
    CategoryConfig,
    ConfigPublished,
    StatusConfig,
    TenantConfiguration,
    Translation,
)
from cstatus.contracts.envelope import new_event

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _config(tenant: str, version: int, gold_de: str) -> Any:
    def status(code: str, de: str | None) -> StatusConfig:
        return StatusConfig(
            id=code,
            code=code,
            name=code.title(),
            colour="#FFD700",
            translations={"de": Translation(name=de)} if de else {},
        )

    category = CategoryConfig(
        id="c1",
        code="loyalty",
        name="Loyalty",
        update_mode="automatic",
        statuses=(status("silver", "Silber"), status("gold", gold_de)),
    )
    data = ConfigPublished(
        tenant=tenant, version=version, config=TenantConfiguration(categories=(category,))
    )
    return new_event(
        data, id=unique("cfg"), source="status-config", tenant=tenant, subject=tenant, time=T0
    )


async def test_history_speaks_the_readers_language(audit: Any) -> None:
    tenant, customer = audit.new_tenant(), "cust-de"
    await audit.publish(topics.CONFIG, _config(tenant, 2, "Gold (de)"))
    await audit.publish(topics.CONFIG, _config(tenant, 1, "alt"))  # older: changes nothing
    await audit.change(tenant, customer, "loyalty", 1, "silver", at=T0)
    await audit.change(
        tenant, customer, "loyalty", 2, "gold", from_="silver", at=T0 + timedelta(days=3)
    )
    await audit.rows_reach(tenant, 2)

    async def history(language: str | None) -> list[tuple[str | None, str]]:
        headers = audit.headers(tenant) | ({"Accept-Language": language} if language else {})
        reply = await audit.client.get(
            f"/v1/customers/{customer}/history", params={"order": "asc"}, headers=headers
        )
        assert reply.status_code == 200, reply.text
        return [
            (c["from"]["name"] if c["from"] else None, c["to"]["name"])
            for c in reply.json()["items"]
        ]

    async def names_stored() -> bool:
        return await history("de-AT") == [(None, "Silber"), ("Silber", "Gold (de)")]

    await audit.until(names_stored)
    assert await history("fr, de;q=0.4") == [(None, "Silber"), ("Silber", "Gold (de)")]
    assert await history(None) == [(None, "Silver"), ("Silver", "Gold")]  # as the event said
    assert await history("ja") == [(None, "Silver"), ("Silver", "Gold")]

    german = audit.headers(tenant) | {"Accept-Language": "de"}
    as_of = await audit.client.get(
        f"/v1/customers/{customer}/statuses/as-of",
        params={"time": (T0 + timedelta(days=5)).isoformat()},
        headers=german,
    )
    assert as_of.json()["statuses"]["loyalty"]["name"] == "Gold (de)"
    search = await audit.client.get("/v1/changes", params={"category": "loyalty"}, headers=german)
    assert [c["to"]["name"] for c in search.json()["items"]] == ["Silber", "Gold (de)"]
    stored = await audit.pg.fetchval(
        f"SELECT jsonb_typeof(document) FROM {audit.schema}.names WHERE tenant = $1", tenant
    )
    assert stored == "object"  # a JSON document, not a string holding one
    # the configuration event is no customer: no key was made for the tenant's id
    keys = await audit.pg.fetchval(
        f"SELECT count(*) FROM {audit.schema}.customer_keys WHERE tenant = $1 AND customer_id = $1",
        tenant,
    )
    assert keys == 0
