"""History, as-of, timeline, last-updated and the tenant-wide search on a scripted sequence."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
CUSTOMER = "cust-a"


def at(days: float) -> str:
    return (T0 + days * DAY).isoformat()


@pytest.fixture(scope="module")
async def scripted(audit: Any) -> str:
    """One customer's two categories, delivered in a shuffled order; returns the tenant."""
    tenant: str = audit.new_tenant()
    script: list[dict[str, Any]] = [
        {"category": "relationship", "sequence": 1, "to": "lead", "at": T0},
        {
            "category": "relationship",
            "sequence": 2,
            "to": "client",
            "from_": "lead",
            "at": T0 + 10 * DAY,
        },
        {
            "category": "relationship",
            "sequence": 3,
            "to": "vip",
            "from_": "client",
            "at": T0 + 15 * DAY,
            "source": "manual",
            "actor": "agent-anna",
            "reason": "long-time guest",
        },
        {"category": "lifecycle", "sequence": 1, "to": "active", "at": T0},
        {
            "category": "lifecycle",
            "sequence": 2,
            "to": "suspended",
            "from_": "active",
            "at": T0 + 5 * DAY,
            "source": "manual",
            "actor": "agent-bob",
            "reason": "chargeback pending",
        },
        {
            "category": "lifecycle",
            "sequence": 3,
            "to": "active",
            "from_": "suspended",
            "at": T0 + 7 * DAY,
            "source": "manual",
            "actor": "agent-bob",
            "reason": "resolved",
        },
        {
            "category": "lifecycle",
            "sequence": 4,
            "to": None,
            "from_": "active",
            "at": T0 + 20 * DAY,
            "source": "system",
            "actor": "assignment",
        },
    ]
    random.Random(7).shuffle(script)
    for step in script:
        await audit.change(tenant, CUSTOMER, **step)
    await audit.rows_reach(tenant, len(script))
    return tenant


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (-0.01, {}),
        (0, {"relationship": "lead", "lifecycle": "active"}),
        (6, {"relationship": "lead", "lifecycle": "suspended"}),
        (12, {"relationship": "client", "lifecycle": "active"}),
        (16, {"relationship": "vip", "lifecycle": "active"}),
        (21, {"relationship": "vip", "lifecycle": None}),
    ],
)
async def test_as_of_answers_the_status_held_at_each_time(
    audit: Any, scripted: str, days: float, expected: dict[str, str | None]
) -> None:
    body = await audit.get(scripted, f"/v1/customers/{CUSTOMER}/statuses/as-of", time=at(days))
    held = {
        code: (status["status_code"] if status else None)
        for code, status in body["statuses"].items()
    }
    assert held == expected


async def test_timeline_gives_entered_left_and_duration(audit: Any, scripted: str) -> None:
    body = await audit.get(scripted, f"/v1/customers/{CUSTOMER}/timeline")

    def periods(category: str) -> list[tuple[Any, ...]]:
        return [
            (p["status_code"], p["entered_at"], p["left_at"], p["duration_seconds"] / 86400)
            for p in body["categories"][category]["periods"]
        ]

    relationship = periods("relationship")
    assert relationship[:2] == [
        ("lead", "2026-01-01T00:00:00Z", "2026-01-11T00:00:00Z", 10),
        ("client", "2026-01-11T00:00:00Z", "2026-01-16T00:00:00Z", 5),
    ]
    vip = body["categories"]["relationship"]["periods"][2]
    assert (vip["status_code"], vip["left_at"], vip["current"]) == ("vip", None, True)
    assert periods("lifecycle") == [
        ("active", "2026-01-01T00:00:00Z", "2026-01-06T00:00:00Z", 5),
        ("suspended", "2026-01-06T00:00:00Z", "2026-01-08T00:00:00Z", 2),
        ("active", "2026-01-08T00:00:00Z", "2026-01-21T00:00:00Z", 13),
    ]
    assert body["categories"]["lifecycle"]["missing_sequences"] == []


async def test_last_updated_on_and_by_per_category(audit: Any, scripted: str) -> None:
    body = await audit.get(scripted, f"/v1/customers/{CUSTOMER}/last-updated")
    last = body["categories"]
    assert (last["relationship"]["status_code"], last["relationship"]["updated_by"]) == (
        "vip",
        "agent-anna",
    )
    assert last["relationship"]["updated_at"] == "2026-01-16T00:00:00Z"
    assert (last["lifecycle"]["status_code"], last["lifecycle"]["updated_by"]) == (
        None,
        "assignment",
    )


async def test_history_filters(audit: Any, scripted: str) -> None:
    path = f"/v1/customers/{CUSTOMER}/history"
    manual = await audit.get(scripted, path, source="manual", order="asc")
    assert [(c["to"]["code"], c["actor"], c["reason"]) for c in manual["items"]] == [
        ("suspended", "agent-bob", "chargeback pending"),
        ("active", "agent-bob", "resolved"),
        ("vip", "agent-anna", "long-time guest"),
    ]
    window = await audit.get(
        scripted, path, category="lifecycle", since=at(5), until=at(20), order="asc"
    )
    assert [c["sequence"] for c in window["items"]] == [2, 3]


async def test_history_pages_with_a_cursor(audit: Any, scripted: str) -> None:
    path = f"/v1/customers/{CUSTOMER}/history"
    everything = (await audit.get(scripted, path, limit=100))["items"]
    assert len(everything) == 7
    assert everything[0]["effective_at"] == at(20).replace("+00:00", "Z")  # newest first
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = await audit.get(scripted, path, **params)
        seen.extend(c["change_id"] for c in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [c["change_id"] for c in everything]


async def test_another_tenant_sees_nothing(audit: Any, scripted: str) -> None:
    other = audit.new_tenant()
    history = await audit.get(other, f"/v1/customers/{CUSTOMER}/history")
    assert history == {"items": [], "next_cursor": None}
    as_of = await audit.get(other, f"/v1/customers/{CUSTOMER}/statuses/as-of", time=at(30))
    assert as_of["statuses"] == {}
    assert (await audit.get(other, "/v1/changes"))["items"] == []
    response = await audit.client.get(
        f"/v1/customers/{CUSTOMER}/export", headers=audit.headers(other)
    )
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_reads_need_a_token_with_a_read_role_and_valid_parameters(
    audit: Any, scripted: str
) -> None:
    path = f"/v1/customers/{CUSTOMER}/history"
    assert (await audit.client.get(path)).status_code == 401
    no_roles = issue_dev_token(DEV_JWT_SECRET, tenant=scripted, roles=[])
    forbidden = await audit.client.get(path, headers={"Authorization": f"Bearer {no_roles}"})
    assert forbidden.status_code == 403
    headers = audit.headers(scripted, "status:system")
    bad_cursor = await audit.client.get(path, params={"cursor": "nope"}, headers=headers)
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (422, "invalid_cursor")
    naive = await audit.client.get(
        f"/v1/customers/{CUSTOMER}/statuses/as-of",
        params={"time": "2026-01-01T00:00:00"},
        headers=headers,
    )
    assert naive.status_code == 422
    assert naive.headers["content-type"].startswith("application/problem+json")


async def test_tenant_search_for_reports(audit: Any) -> None:
    tenant = audit.new_tenant()
    await audit.change(tenant, "c1", "relationship", 1, "lead", at=T0)
    await audit.change(
        tenant,
        "c1",
        "relationship",
        2,
        "vip",
        from_="lead",
        at=T0 + DAY,
        source="manual",
        actor="agent-anna",
        reason="regular",
    )
    await audit.change(tenant, "c2", "lifecycle", 1, "internal", at=T0 + DAY, exclude=True)
    await audit.change(
        tenant,
        "c3",
        "relationship",
        1,
        "vip",
        at=T0 + 2 * DAY,
        source="manual",
        actor="agent-bob",
    )
    await audit.rows_reach(tenant, 4)

    def who(page: dict[str, Any]) -> list[tuple[str, str]]:
        return [(c["customer_id"], c["to"]["code"]) for c in page["items"]]

    assert who(await audit.get(tenant, "/v1/changes")) == [
        ("c1", "lead"),
        ("c1", "vip"),
        ("c3", "vip"),
    ]
    with_excluded = await audit.get(tenant, "/v1/changes", include_excluded="true")
    assert ("c2", "internal") in who(with_excluded)
    assert who(await audit.get(tenant, "/v1/changes", status="vip", source="manual")) == [
        ("c1", "vip"),
        ("c3", "vip"),
    ]
    assert who(await audit.get(tenant, "/v1/changes", actor="agent-anna")) == [("c1", "vip")]
    assert who(
        await audit.get(tenant, "/v1/changes", category="relationship", since=at(1), until=at(2))
    ) == [("c1", "vip")]
