"""Categories and statuses over HTTP: every field, validation, concurrency and deletion."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration

GOLD = {"code": "gold", "name": "Gold", "colour": "#FFD700"}


async def _category(admin: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    body = {"code": "loyalty", "name": "Loyalty level", "update_mode": "automatic", **fields}
    response = await admin.post("/v1/categories", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _problem(response: httpx.Response, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body


async def test_a_category_and_its_statuses_keep_every_field(admin: httpx.AsyncClient) -> None:
    category = await _category(
        admin, manual_override_allowed=True, reason_required=True, description="Tiers"
    )
    created = await admin.post(
        f"/v1/categories/{category['id']}/statuses",
        json={
            **GOLD,
            "priority": 3,
            "display_as": "name_and_icon",
            "is_default": True,
            "sticky": False,
            "system_state": None,
            "properties": {
                "can_book_online": True,
                "must_prepay_online": True,
                "max_appointments": {"count": 2, "period_days": 7},
                "allowed_service_codes": ["massage", "sauna"],
            },
            "rule": {"type": "count", "metric": "reservations", "min": 5, "window_days": 365},
        },
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == f"/v1/statuses/{created.json()['id']}"
    status = (await admin.get(created.headers["location"])).json()
    assert status["category_id"] == category["id"]
    assert (status["code"], status["colour"], status["priority"]) == ("gold", "#FFD700", 3)
    assert (status["display_as"], status["is_default"], status["sticky"]) == (
        "name_and_icon",
        True,
        False,
    )
    assert status["properties"]["max_appointments"] == {"count": 2, "period_days": 7}
    assert status["properties"]["must_prepay_online"] is True
    assert status["properties"]["can_transact"] is True  # not given: its default
    assert status["rule"] == {
        "type": "count",
        "metric": "reservations",
        "min": 5,
        "max": None,
        "window_days": 365,
    }
    read = (await admin.get(f"/v1/categories/{category['id']}")).json()
    assert (read["manual_override_allowed"], read["reason_required"]) == (True, True)
    assert [s["code"] for s in read["statuses"]] == ["gold"]
    listed = (await admin.get(f"/v1/categories/{category['id']}/statuses")).json()["items"]
    assert [s["id"] for s in listed] == [status["id"]]
    assert [c["code"] for c in (await admin.get("/v1/categories")).json()["items"]] == ["loyalty"]


async def test_a_system_state_brings_its_default_properties(admin: httpx.AsyncClient) -> None:
    category = await _category(admin, update_mode="manual")
    url = f"/v1/categories/{category['id']}/statuses"
    fraud = (
        await admin.post(url, json={**GOLD, "code": "fraud", "system_state": "fraud_suspected"})
    ).json()
    assert fraud["sticky"] is True
    assert fraud["properties"]["transactions_are_outliers"] is True
    blocked = (
        await admin.post(
            url,
            json={
                **GOLD,
                "code": "blocked",
                "system_state": "suspended",
                "properties": {"can_redeem": True},
            },
        )
    ).json()
    assert blocked["properties"]["can_redeem"] is True  # the admin's choice wins
    assert blocked["properties"]["transactions_are_outliers"] is True
    one = await admin.patch(
        f"/v1/statuses/{blocked['id']}", json={"properties": {"can_transact": False}}
    )
    assert one.json()["properties"]["can_transact"] is False
    assert one.json()["properties"]["can_redeem"] is True  # untouched


async def test_a_system_state_cannot_change_once_the_status_exists(
    admin: httpx.AsyncClient,
) -> None:
    """Guards do not drift (SPEC §1 v2): the review found PATCHing `system_state` made the
    holders of `deleted` movable and lifted their denials."""
    category = await _category(admin, update_mode="manual")
    url = f"/v1/categories/{category['id']}/statuses"
    gone = (await admin.post(url, json={**GOLD, "code": "gone", "system_state": "deleted"})).json()
    moved = await admin.patch(f"/v1/statuses/{gone['id']}", json={"system_state": "active"})
    assert moved.status_code == 409, moved.text
    assert moved.json()["code"] == "system_state_immutable"
    same = await admin.patch(f"/v1/statuses/{gone['id']}", json={"system_state": "deleted"})
    assert same.status_code == 200, same.text
    assert (await admin.get(f"/v1/statuses/{gone['id']}")).json()["system_state"] == "deleted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**GOLD, "code": "gold star"}, "code"),
        ({**GOLD, "code": ""}, "code"),
        ({"code": "gold", "name": "Gold"}, "colour"),
        ({**GOLD, "colour": "gold"}, "colour"),
        ({**GOLD, "colour": "#FFD70"}, "colour"),
        ({**GOLD, "name": "x" * 201}, "name"),
        ({**GOLD, "description": "x" * 2001}, "description"),
        ({**GOLD, "priority": 10**7}, "priority"),
        ({**GOLD, "display_as": "banner"}, "display_as"),
        ({**GOLD, "system_state": "sleeping"}, "system_state"),
        ({**GOLD, "properties": {"max_appointments": {"count": -1, "period_days": 7}}}, None),
        ({**GOLD, "properties": {"can_fly": True}}, "properties.can_fly"),
        ({**GOLD, "colour_name": "gold"}, "colour_name"),
    ],
)
async def test_invalid_statuses_are_refused_with_the_field(
    admin: httpx.AsyncClient, body: dict[str, Any], field: str | None
) -> None:
    category = await _category(admin)
    response = await admin.post(f"/v1/categories/{category['id']}/statuses", json=body)
    _problem(response, 422, "validation_failed", field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "loyalty level", "name": "L", "update_mode": "manual"}, "code"),
        ({"code": "x" * 65, "name": "L", "update_mode": "manual"}, "code"),
        ({"code": "loyalty", "name": "L", "update_mode": "sometimes"}, "update_mode"),
        ({"code": "loyalty", "update_mode": "manual"}, "name"),
    ],
)
async def test_invalid_categories_are_refused_with_the_field(
    admin: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    _problem(await admin.post("/v1/categories", json=body), 422, "validation_failed", field)


async def test_codes_are_unique_and_a_category_has_one_default(admin: httpx.AsyncClient) -> None:
    category = await _category(admin)
    _problem(
        await admin.post(
            "/v1/categories", json={"code": "loyalty", "name": "Again", "update_mode": "manual"}
        ),
        409,
        "code_taken",
        "code",
    )
    url = f"/v1/categories/{category['id']}/statuses"
    assert (await admin.post(url, json={**GOLD, "is_default": True})).status_code == 201
    _problem(await admin.post(url, json=GOLD), 409, "code_taken", "code")
    silver = {**GOLD, "code": "silver", "is_default": True}
    _problem(await admin.post(url, json=silver), 422, "default_taken", "is_default")
    created = await admin.post(url, json={**silver, "is_default": False})
    patched = await admin.patch(f"/v1/statuses/{created.json()['id']}", json={"is_default": True})
    _problem(patched, 422, "default_taken", "is_default")


async def test_stale_writes_are_refused(admin: httpx.AsyncClient) -> None:
    category = await _category(admin)
    url = f"/v1/categories/{category['id']}"
    read = await admin.get(url)
    tag = read.headers["etag"]
    first = await admin.patch(url, json={"name": "Loyalty tier"}, headers={"If-Match": tag})
    assert first.status_code == 200 and first.headers["etag"] != tag
    stale = await admin.patch(url, json={"name": "Tiers"}, headers={"If-Match": tag})
    _problem(stale, 412, "stale")
    assert (await admin.get(url)).json()["name"] == "Loyalty tier"
    status = (await admin.post(f"{url}/statuses", json=GOLD)).json()
    status_url = f"/v1/statuses/{status['id']}"
    tag = (await admin.get(status_url)).headers["etag"]
    assert (
        await admin.patch(status_url, json={"priority": 2}, headers={"If-Match": tag})
    ).is_success
    _problem(
        await admin.patch(status_url, json={"priority": 3}, headers={"If-Match": tag}), 412, "stale"
    )
    _problem(await admin.delete(status_url, headers={"If-Match": tag}), 412, "stale")


async def test_only_archived_statuses_and_categories_are_deleted(
    admin: httpx.AsyncClient,
) -> None:
    category = await _category(admin)
    url = f"/v1/categories/{category['id']}"
    status = (await admin.post(f"{url}/statuses", json=GOLD)).json()
    status_url = f"/v1/statuses/{status['id']}"
    _problem(await admin.delete(status_url), 409, "archive_first")
    _problem(await admin.delete(url), 409, "archive_first")
    assert (await admin.patch(status_url, json={"archived": True})).json()["archived"] is True
    assert (await admin.delete(status_url)).status_code == 204
    assert (await admin.get(status_url)).status_code == 404
    assert (await admin.patch(url, json={"archived": True})).status_code == 200
    assert (await admin.delete(url)).status_code == 204
    assert (await admin.get(url)).status_code == 404
    assert (await admin.get("/v1/config")).json()["config"]["categories"] == []


async def test_the_default_status_cannot_be_archived(admin: httpx.AsyncClient) -> None:
    category = await _category(admin)
    status = await admin.post(
        f"/v1/categories/{category['id']}/statuses", json={**GOLD, "is_default": True}
    )
    archived = await admin.patch(f"/v1/statuses/{status.json()['id']}", json={"archived": True})
    _problem(archived, 422, "default_archived", "archived")


async def test_oversized_bodies_are_refused(admin: httpx.AsyncClient) -> None:
    response = await admin.post(
        "/v1/categories",
        content=b'{"code": "a", "name": "' + b"x" * 70_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    _problem(response, 413, "body_too_large")
