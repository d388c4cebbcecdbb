"""Provisioning a tenant (with the SPEC 1.6 defaults), authentication, roles and tenant isolation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.integration


async def test_seeding_gives_the_default_categories_once(admin: httpx.AsyncClient) -> None:
    seeded = await admin.put("/v1/tenant", json={"seed_defaults": True})
    assert seeded.status_code == 200
    again = await admin.put("/v1/tenant", json={"seed_defaults": True})
    assert again.json()["version"] == seeded.json()["version"]  # nothing changed, nothing published

    config = (await admin.get("/v1/config")).json()["config"]
    by_code = {c["code"]: c for c in config["categories"]}
    assert list(by_code) == ["relationship", "lifecycle"]
    relationship, lifecycle = by_code["relationship"], by_code["lifecycle"]
    assert relationship["update_mode"] == "automatic" and relationship["manual_override_allowed"]
    assert lifecycle["reason_required"] is True
    statuses = {s["code"]: s for s in relationship["statuses"]}
    assert {c: (s["priority"], s["is_default"]) for c, s in statuses.items()} == {
        "lead": (0, True),
        "client": (10, False),
        "inactive": (20, False),
        "vip": (30, False),
    }
    assert statuses["client"]["rule"]["type"] == "first_activity"
    assert len(statuses["client"]["rule"]["triggers"]) == 5
    assert statuses["inactive"]["rule"] is None and statuses["vip"]["rule"] is None
    states = {s["code"]: s for s in lifecycle["statuses"]}
    assert set(states) == {
        "active",
        "suspended",
        "deleted",
        "fraud_suspected",
        "fraud_confirmed",
        "internal",
    }
    assert all(s["system_state"] == code for code, s in states.items())
    assert [c for c, s in states.items() if s["is_default"]] == ["active"]
    fraud = states["fraud_suspected"]
    assert fraud["sticky"] is True
    assert fraud["rule"] == {
        "type": "velocity",
        "metric": "transactions",
        "threshold": 20,
        "window_minutes": 60,
    }
    assert states["deleted"]["properties"]["can_transact"] is False
    assert states["internal"]["properties"]["exclude_from_reports"] is True


async def test_the_default_language_is_the_tenants(client: Any) -> None:
    async with client("status:admin") as http:
        created = await http.put("/v1/tenant", json={"default_language": "de"})
        assert created.status_code == 201
        assert created.json()["default_language"] == "de"
        assert (await http.get("/v1/config")).json()["config"]["default_language"] == "de"


async def test_without_a_valid_token_nothing_is_served(client: Any) -> None:
    async with client(token="not-a-jwt") as http:
        response = await http.get("/v1/categories")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
    async with client() as http:
        del http.headers["Authorization"]
        assert (await http.get("/v1/config")).status_code == 401


async def test_only_admins_write_and_every_role_reads(
    admin: httpx.AsyncClient, client: Any
) -> None:
    body = {"code": "loyalty", "name": "Loyalty", "update_mode": "manual"}
    for role in ("status:viewer", "status:agent", "status:system"):
        async with client(role) as http:
            refused = await http.post("/v1/categories", json=body)
            assert refused.status_code == 403, role
            assert refused.json()["code"] == "forbidden"
            assert (await http.get("/v1/config")).status_code == 200
    assert (await admin.post("/v1/categories", json=body)).status_code == 201


async def test_a_tenant_never_sees_another_ones_configuration(
    admin: httpx.AsyncClient, client: Any
) -> None:
    category = (
        await admin.post(
            "/v1/categories", json={"code": "loyalty", "name": "Loyalty", "update_mode": "manual"}
        )
    ).json()
    status = (
        await admin.post(
            f"/v1/categories/{category['id']}/statuses",
            json={"code": "gold", "name": "Gold", "colour": "#FFD700"},
        )
    ).json()
    async with client("status:admin", tenant="t-other-tenant") as other:
        await other.put("/v1/tenant", json={})
        for path in (f"/v1/categories/{category['id']}", f"/v1/statuses/{status['id']}"):
            assert (await other.get(path)).status_code == 404
            assert (await other.patch(path, json={"name": "Mine"})).status_code == 404
            assert (await other.delete(path)).status_code == 404
        assert (await other.get(f"/v1/categories/{category['id']}/statuses")).status_code == 404
        assert category["id"] not in str((await other.get("/v1/config")).json())
    async with client("status:admin") as http:
        response = await http.get("/v1/config", headers={"X-Cstatus-Tenant": "t-other-tenant"})
        assert response.status_code == 403


async def test_a_tenant_must_be_provisioned_before_it_is_configured(client: Any) -> None:
    async with client("status:admin") as http:
        response = await http.post(
            "/v1/categories", json={"code": "loyalty", "name": "Loyalty", "update_mode": "manual"}
        )
        assert response.status_code == 409
        assert response.json()["code"] == "tenant_not_provisioned"
        assert (await http.get("/v1/config")).status_code == 404
