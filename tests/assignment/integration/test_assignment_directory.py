"""The customer directory: search, status filter, inactive customers, cursor pagination."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig, Translation
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
    nul = await h.client.get("/v1/customers", params={"q": "ada\x00"}, headers=viewer)
    assert nul.status_code == 422, nul.text  # was a 500 from PostgreSQL
    other = await _ids(h, h.tenant(), q="ada")
    assert other == []


def _translated(categories: tuple[CategoryConfig, ...]) -> tuple[CategoryConfig, ...]:
    """The harness's categories with German names for relationship and its statuses."""
    german = {"relationship": "Beziehung", "lead": "Interessent", "vip": "Stammgast"}

    def de(name: str) -> dict[str, Translation]:
        return {"de": Translation(name=german[name])} if name in german else {}

    return tuple(
        c.model_copy(
            update={
                "translations": de(c.code),
                "statuses": tuple(
                    s.model_copy(update={"translations": de(s.code)}) for s in c.statuses
                ),
            }
        )
        for c in categories
    )


async def test_the_desk_finds_by_phone_ors_statuses_filters_marketing_and_counts(
    harness: Any,
) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _translated(h.categories()))
    people = {
        "d-1": CustomerCreated(first_name="Ada", phone="+31 6 1234 5678"),
        "d-2": CustomerCreated(first_name="Alan", phone="06-9999-0000", marketing_opt_in=True),
        "d-3": CustomerCreated(first_name="Grace", marketing_objected=True),
        "d-4": CustomerCreated(first_name="Edsger", marketing_opt_in=False),
        "d-5": CustomerCreated(first_name="Barbara", active=False),
    }
    for customer, data in people.items():
        event = new_event(
            data,
            id=f"new-{customer}",
            source="crm",
            tenant=tenant,
            subject=customer,
            time=datetime.now(UTC),
        )
        await h.send(topics.CRM_CUSTOMERS, event)
    for customer in people:
        await h.until(lambda c=customer: h.status_of(tenant, c, "tier"))
    agent = h.headers(tenant, "status:agent")
    for customer, category, code in (
        ("d-1", "relationship", "vip"),
        ("d-3", "relationship", "vip"),
        ("d-4", "relationship", "client"),
        ("d-5", "relationship", "vip"),
    ):
        reply = await h.client.put(
            f"/v1/customers/{customer}/statuses/{category}",
            json={"status_code": code},
            headers=agent,
        )
        assert reply.status_code == 200, reply.text

    # Phone numbers are found whatever their spacing; too few digits match no phone.
    assert await _ids(h, tenant, q="612345678") == ["d-1"]
    assert await _ids(h, tenant, q="0699990000") == ["d-2"]
    assert await _ids(h, tenant, q="+31 6 1234") == ["d-1"]
    assert await _ids(h, tenant, q="06") == []

    # Several statuses of one category are ORed, categories ANDed.
    assert await _ids(h, tenant, status="relationship:vip,relationship:client") == [
        "d-1",
        "d-3",
        "d-4",
    ]
    assert await _ids(h, tenant, status="relationship:vip,client") == ["d-1", "d-3", "d-4"]
    assert await _ids(h, tenant, status=["relationship:vip,relationship:lead", "tier:basic"]) == [
        "d-1",
        "d-2",
        "d-3",
    ]
    assert await _ids(h, tenant, status="relationship:vip", include_inactive="true") == [
        "d-1",
        "d-3",
        "d-5",
    ]
    viewer = h.headers(tenant, "status:viewer")
    mixed = await h.client.get(
        "/v1/customers", params={"status": "relationship:vip,tier:basic"}, headers=viewer
    )
    assert (mixed.status_code, mixed.json()["code"]) == (422, "validation_failed")

    # Who may receive marketing: opted in, or a status implying consent and no objection.
    assert await _ids(h, tenant, marketing="true") == ["d-1", "d-2"]
    assert await _ids(h, tenant, marketing="false") == ["d-3", "d-4"]

    # Rows carry how each status is shown, in the language asked for (de-AT → de).
    reply = await h.client.get(
        "/v1/customers",
        params={"q": "612345678"},
        headers={**viewer, "Accept-Language": "fr;q=0.9, de-AT, en;q=0.5"},
    )
    body = reply.json()
    row = body["items"][0]
    assert row["phone"] == "+31 6 1234 5678"
    assert row["statuses"]["relationship"] == "vip"
    assert row["labels"]["relationship"] == {
        "status_code": "vip",
        "name": "Stammgast",
        "colour": "#336699",
        "icon_url": None,
        "display_as": "name",
    }
    assert body["categories"]["relationship"] == "Beziehung"
    english = await h.client.get(
        "/v1/customers", params={"q": "612345678"}, headers={**viewer, "Accept-Language": "ja"}
    )
    assert english.json()["items"][0]["labels"]["relationship"]["name"] == "Vip"

    # Counts per status without paging, the filters narrowing them.
    counts = await h.client.get(
        "/v1/status-counts",
        params={"category": "relationship"},
        headers={**viewer, "Accept-Language": "de"},
    )
    assert counts.status_code == 200, counts.text
    found = counts.json()
    assert found["category_code"] == "relationship"
    assert found["name"] == "Beziehung"
    assert found["counts"] == {"lead": 1, "client": 1, "inactive": 0, "vip": 2}
    assert found["none"] == 0
    assert found["labels"]["lead"]["name"] == "Interessent"
    everyone = await h.client.get(
        "/v1/status-counts",
        params={"category": "relationship", "include_inactive": "true", "marketing": "false"},
        headers=viewer,
    )
    # d-5 (inactive, vip, no objection) may receive marketing; d-3 objected
    assert everyone.json()["counts"] == {"lead": 0, "client": 1, "inactive": 0, "vip": 1}
    unknown = await h.client.get("/v1/status-counts", params={"category": "nope"}, headers=viewer)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "category_not_found")
    missing = await h.client.get("/v1/status-counts", headers=viewer)
    assert missing.status_code == 422


async def test_the_customer_detail_speaks_the_language_asked_for(harness: Any) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _translated(h.categories()))
    event = new_event(
        CustomerCreated(first_name="Ada"),
        id="new-t-1",
        source="crm",
        tenant=tenant,
        subject="t-1",
        time=datetime.now(UTC),
    )
    await h.send(topics.CRM_CUSTOMERS, event)
    await h.until(lambda: h.status_of(tenant, "t-1", "relationship"))
    viewer = h.headers(tenant, "status:viewer")

    async def shown(header: str | None, **params: str) -> tuple[str, str]:
        headers = {**viewer, **({"Accept-Language": header} if header else {})}
        body = (await h.client.get("/v1/customers/t-1", params=params, headers=headers)).json()
        return body["statuses"]["relationship"]["name"], body["categories"]["relationship"]

    assert await shown("de-AT") == ("Interessent", "Beziehung")
    assert await shown("it, de;q=0.3") == ("Interessent", "Beziehung")
    assert await shown("de;q=0, en") == ("Lead", "Relationship")
    assert await shown(None) == ("Lead", "Relationship")
    assert await shown("en", lang="de") == ("Interessent", "Beziehung")
