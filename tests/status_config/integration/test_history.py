"""Configuration history (SPEC 1.9): every change kept with who, when, before and after, and
every version readable whole, so a decision naming its version can be explained later."""

from __future__ import annotations

import httpx
import pytest

from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

from .conftest import Client

pytestmark = pytest.mark.integration


def _as(client: Client, tenant: str, subject: str, *roles: str) -> httpx.AsyncClient:
    token = issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=roles, subject=subject)
    return client(token=token)


async def test_each_change_is_kept_with_its_author_and_what_it_changed(
    client: Client, tenant: str
) -> None:
    async with (
        _as(client, tenant, "ann", "status:admin") as ann,
        _as(client, tenant, "bob", "status:admin") as bob,
        _as(client, tenant, "vera", "status:viewer") as viewer,
    ):
        assert (await ann.put("/v1/tenant", json={})).status_code == 201
        category = (
            await ann.post(
                "/v1/categories",
                json={"code": "loyalty", "name": "Loyalty", "update_mode": "automatic"},
            )
        ).json()
        gold = (
            await ann.post(
                f"/v1/categories/{category['id']}/statuses",
                json={"code": "gold", "name": "Gold", "colour": "#ffd700", "priority": 10},
            )
        ).json()
        first_rule = {"type": "count", "metric": "reservations", "min": 3, "window_days": 365}
        reply = await ann.put(f"/v1/statuses/{gold['id']}/rule", json=first_rule)
        assert reply.status_code == 200, reply.text
        second_rule = {**first_rule, "min": 5}
        reply = await bob.put(f"/v1/statuses/{gold['id']}/rule", json=second_rule)
        assert reply.status_code == 200, reply.text
        version = (await viewer.get("/v1/tenant")).json()["version"]

        reply = await viewer.get("/v1/config/history")
        assert reply.status_code == 200, reply.text
        items = reply.json()["items"]
        assert [i["version"] for i in items] == list(range(version, 0, -1))
        assert [i["actor"] for i in items] == ["bob", "ann", "ann", "ann", "ann"]
        assert reply.json()["next_before_version"] is None

        newest = items[0]
        assert [(c["kind"], c["code"], c["category_code"]) for c in newest["changes"]] == [
            ("status", "gold", "loyalty")
        ]
        assert newest["changes"][0]["before"]["rule"]["min"] == 3
        assert newest["changes"][0]["after"]["rule"]["min"] == 5
        added = items[2]["changes"]
        assert [(c["kind"], c["code"], c["before"]) for c in added] == [("status", "gold", None)]
        provisioned = items[-1]["changes"]
        assert provisioned == [
            {
                "kind": "tenant",
                "id": "tenant",
                "code": None,
                "category_code": None,
                "before": None,
                "after": {"default_language": "en"},
            }
        ]

        # The version the older rule decided with is readable whole after the rule changed.
        older = await viewer.get(f"/v1/config/history/{version - 1}")
        assert older.status_code == 200, older.text
        statuses = older.json()["config"]["categories"][0]["statuses"]
        assert [(s["code"], s["rule"]["min"]) for s in statuses] == [("gold", 3)]
        assert older.json()["actor"] == "ann"

        # Pages go back by `before_version`, and end.
        page = (await viewer.get("/v1/config/history", params={"limit": 2})).json()
        assert [i["version"] for i in page["items"]] == [version, version - 1]
        assert page["items"][1]["changes"][0]["after"]["rule"]["min"] == 3
        rest = (
            await viewer.get(
                "/v1/config/history", params={"before_version": page["next_before_version"]}
            )
        ).json()
        assert [i["version"] for i in rest["items"]] == list(range(version - 2, 0, -1))


async def test_a_deleted_status_shows_as_removed_and_bad_queries_are_refused(
    admin: httpx.AsyncClient, client: Client
) -> None:
    category = (
        await admin.post(
            "/v1/categories", json={"code": "tags", "name": "Tags", "update_mode": "manual"}
        )
    ).json()
    status = (
        await admin.post(
            f"/v1/categories/{category['id']}/statuses",
            json={"code": "x", "name": "X", "colour": "#000000"},
        )
    ).json()
    reply = await admin.patch(f"/v1/statuses/{status['id']}", json={"archived": True})
    assert reply.status_code == 200, reply.text
    reply = await admin.delete(f"/v1/statuses/{status['id']}")
    assert reply.status_code == 204, reply.text
    newest = (await admin.get("/v1/config/history", params={"limit": 1})).json()["items"][0]
    assert [(c["kind"], c["code"], c["after"]) for c in newest["changes"]] == [
        ("status", "x", None)
    ]
    assert newest["changes"][0]["before"]["archived"] is True

    missing = await admin.get("/v1/config/history/999")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert (await admin.get("/v1/config/history", params={"limit": 0})).status_code == 422

    # Another tenant sees none of it.
    async with client("status:admin", tenant="someone-else") as other:
        assert (await other.get("/v1/config/history")).json()["items"] == []
