"""GDPR access (export) and erasure: after `customer.erased` no personal data is left, while the
fact and the count of every change remain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
PERSONAL = ("Zerubabel", "Quenneville", "agent-xaviera", "guest complained about Zerubabel")
TABLES = ("change_log", "rejection_log", "profile_log", "customer_keys")


async def _feed(audit: Any, tenant: str, customer: str) -> None:
    await audit.created(tenant, customer, "Zerubabel", "Quenneville")
    await audit.change(tenant, customer, "relationship", 1, "lead", at=T0)
    await audit.change(
        tenant,
        customer,
        "relationship",
        2,
        "vip",
        from_="lead",
        at=T0 + DAY,
        source="manual",
        actor="agent-xaviera",
        reason="guest complained about Zerubabel",
    )
    await audit.reject(tenant, customer, "cmd-9", "guest complained about Zerubabel")
    await audit.rows_reach(tenant, 2)
    await audit.rows_reach(tenant, 1, "rejection_log")
    await audit.rows_reach(tenant, 1, "profile_log")


async def _raw_text(audit: Any, tenant: str) -> str:
    """Every row of every audit table for the tenant, as text, its bytea also decoded."""
    parts: list[str] = []
    for table in TABLES:
        rows = await audit.pg.fetch(
            f"SELECT t::text AS row, t.* FROM {audit.schema}.{table} t WHERE tenant = $1", tenant
        )
        for row in rows:
            parts.append(row["row"])
            parts.extend(v.decode("latin-1") for v in row.values() if isinstance(v, bytes))
    return "\n".join(parts)


async def test_export_holds_everything_about_the_customer(audit: Any) -> None:
    tenant, customer = audit.new_tenant(), "cust-gdpr"
    await _feed(audit, tenant, customer)
    await audit.change(tenant, "someone-else", "relationship", 1, "lead", at=T0)
    await audit.rows_reach(tenant, 3)

    export = await audit.get(tenant, f"/v1/customers/{customer}/export")
    assert (export["customer_id"], export["tenant"], export["erased"]) == (customer, tenant, False)
    assert [
        (c["sequence"], c["to"]["code"], c["actor"], c["reason"]) for c in export["changes"]
    ] == [
        (1, "lead", "rules-engine", None),
        (2, "vip", "agent-xaviera", "guest complained about Zerubabel"),
    ]
    assert export["rejections"][0]["message"] == "guest complained about Zerubabel"
    assert export["profile_events"][0]["data"] == {
        "customer_number": f"no-{customer}",
        "first_name": "Zerubabel",
        "last_name": "Quenneville",
    }
    # Stored sealed from the start: the plaintext is nowhere in the tables.
    raw = await _raw_text(audit, tenant)
    assert not [p for p in PERSONAL if p in raw]


async def test_erasure_shreds_personal_data_and_keeps_the_facts(audit: Any) -> None:
    tenant, customer = audit.new_tenant(), "cust-erase"
    await _feed(audit, tenant, customer)
    await audit.change(
        tenant,
        "neighbour",
        "relationship",
        1,
        "vip",
        at=T0,
        source="manual",
        actor="agent-xaviera",
    )
    await audit.rows_reach(tenant, 3)
    before = await audit.get(tenant, f"/v1/customers/{customer}/export")

    await audit.erased(tenant, customer)

    async def shredded() -> bool:
        key = await audit.pg.fetchrow(
            f"SELECT key, erased_at FROM {audit.schema}.customer_keys"
            " WHERE tenant = $1 AND customer_id = $2",
            tenant,
            customer,
        )
        return key is not None and key["erased_at"] is not None

    await audit.until(shredded)
    # A change that arrives after the erasure is recorded without its personal data.
    await audit.change(
        tenant,
        customer,
        "lifecycle",
        1,
        "deleted",
        at=T0 + 2 * DAY,
        source="manual",
        actor="agent-xaviera",
        reason="Zerubabel asked to be forgotten",
    )
    await audit.rows_reach(tenant, 4)

    after = await audit.get(tenant, f"/v1/customers/{customer}/export")
    assert after["erased"] is True and after["erased_at"] is not None
    assert len(after["changes"]) == len(before["changes"]) + 1
    assert len(after["rejections"]) == len(before["rejections"])
    assert len(after["profile_events"]) == len(before["profile_events"])
    assert [(c["sequence"], c["category_code"], c["to"]["code"]) for c in after["changes"]] == [
        (1, "relationship", "lead"),
        (2, "relationship", "vip"),
        (1, "lifecycle", "deleted"),
    ]
    assert all(c["actor"] is None and c["reason"] is None for c in after["changes"])
    assert all(c["personal_data_erased"] for c in after["changes"])
    assert after["rejections"][0]["message"] is None
    assert after["profile_events"][0]["data"] is None
    assert "Zerubabel" not in str(after)

    raw = await _raw_text(audit, tenant)
    assert not [p for p in (*PERSONAL, "Zerubabel asked") if p in raw]
    assert len(await audit.rows(tenant)) == 4
    key = await audit.pg.fetchval(
        f"SELECT key FROM {audit.schema}.customer_keys WHERE tenant = $1 AND customer_id = $2",
        tenant,
        customer,
    )
    assert key is None

    # Other customers keep theirs; searching by actor no longer finds the erased customer.
    found = await audit.get(tenant, "/v1/changes", actor="agent-xaviera")
    assert [(c["customer_id"], c["actor"]) for c in found["items"]] == [
        ("neighbour", "agent-xaviera")
    ]
    timeline = await audit.get(tenant, f"/v1/customers/{customer}/timeline")
    assert [p["status_code"] for p in timeline["categories"]["relationship"]["periods"]] == [
        "lead",
        "vip",
    ]


async def test_export_of_an_unknown_customer_is_404(audit: Any) -> None:
    response = await audit.client.get(
        "/v1/customers/nobody/export", headers=audit.headers(audit.new_tenant())
    )
    assert response.status_code == 404
    assert response.json()["code"] == "customer_not_found"
