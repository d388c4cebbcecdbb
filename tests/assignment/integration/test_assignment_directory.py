"""The customer directory: search, status filter, inactive customers, cursor pagination."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.customers import CustomerCreated
from cstatus.contracts.envelope import new_event

pytestmark = pytest.mark.integration

PEOPLE = [
    ("c-01", "Ada", "Lovelace", "ada@example.com", "N-100", True),
    ("c-02", "Alan", "Turing", "alan@example.com", "N-200", True),
    ("c-03", "Grace", "Hopper", "grace@navy.example", "N-300", False),
    ("c-04", "Ada", "Byron", "byron@example.com", "N-400", True),
]


async def _ids(h: Any, tenant: str, **params: Any) -> list[str]:
    reply = await h.client.get(
        "/v1/customers", params=params, headers=h.headers(tenant, "status:viewer")
    )
    assert reply.status_code == 200, reply.text
    return [item["customer_id"] for item in reply.json()["items"]]


async def test_the_directory_searches_filters_and_pages(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant)
    for customer, first, last, email, number, active in PEOPLE:
        data = CustomerCreated(
            first_name=first, last_name=last, email=email, customer_number=number, active=active
        )
        event = new_event(
            data,
            id=f"new-{customer}",
            source="crm",
            tenant=tenant,
            subject=customer,
            time=datetime.now(UTC),
        )
        await h.send(topics.CRM_CUSTOMERS, event)
    for customer, *_ in PEOPLE:
        await h.until(lambda c=customer: h.status_of(tenant, c, "tier"))
    reply = await h.client.put(
        "/v1/customers/c-04/statuses/relationship",
        json={"status_code": "vip"},
        headers=h.headers(tenant, "status:agent"),
    )
    assert reply.status_code == 200

    assert await _ids(h, tenant, q="ada") == ["c-01", "c-04"]
    assert await _ids(h, tenant, q="lovelace ada") == ["c-01"]
    assert await _ids(h, tenant, q="ada turing") == []
    assert await _ids(h, tenant, q="ada lovelace") == ["c-01"]
    assert await _ids(h, tenant, q="N-200") == ["c-02"]
    assert await _ids(h, tenant, q="ALAN@EXAMPLE") == ["c-02"]
    assert await _ids(h, tenant, q="grace") == []
    assert await _ids(h, tenant, q="grace", include_inactive="true") == ["c-03"]
    assert await _ids(h, tenant, status="relationship:vip") == ["c-04"]
    assert await _ids(h, tenant, status=["relationship:lead", "tier:basic"]) == ["c-01", "c-02"]

    viewer = h.headers(tenant, "status:viewer")
    pages: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1, "include_inactive": "true"}
        if cursor:
            params["cursor"] = cursor
        body = (await h.client.get("/v1/customers", params=params, headers=viewer)).json()
        pages += [item["customer_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == ["c-01", "c-02", "c-03", "c-04"]

    bad = await h.client.get("/v1/customers", params={"status": "vip"}, headers=viewer)
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_failed")
    other = await _ids(h, h.tenant(), q="ada")
    assert other == []
