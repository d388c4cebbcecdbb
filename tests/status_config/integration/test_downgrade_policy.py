"""A category's downgrade policy (SPEC 1.7) through status-config's API: validated, kept,
published in the configuration document, and removable."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.integration


async def test_a_grace_policy_is_validated_published_and_removed(admin: httpx.AsyncClient) -> None:
    incomplete = await admin.post(
        "/v1/categories",
        json={
            "code": "loyalty",
            "name": "Loyalty",
            "update_mode": "automatic",
            "downgrade_policy": {"mode": "grace"},
        },
    )
    assert incomplete.status_code == 422, incomplete.text
    assert "grace_days" in incomplete.text
    policy = {"mode": "grace", "grace_days": 30, "warn_days": 7}
    created = await admin.post(
        "/v1/categories",
        json={
            "code": "loyalty",
            "name": "Loyalty",
            "update_mode": "automatic",
            "downgrade_policy": policy,
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["downgrade_policy"] == {**policy, "period": None}
    published = (await admin.get("/v1/config")).json()
    [loyalty] = [c for c in published["config"]["categories"] if c["code"] == "loyalty"]
    assert loyalty["downgrade_policy"]["grace_days"] == 30

    yearly = {"mode": "period_end", "period": "year"}
    changed = await admin.patch(
        f"/v1/categories/{created.json()['id']}", json={"downgrade_policy": yearly}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["downgrade_policy"]["mode"] == "period_end"
    bad = await admin.patch(
        f"/v1/categories/{created.json()['id']}",
        json={"downgrade_policy": {"mode": "period_end", "period": "week"}},
    )
    assert bad.status_code == 422
    removed = await admin.patch(
        f"/v1/categories/{created.json()['id']}", json={"downgrade_policy": None}
    )
    assert removed.status_code == 200 and removed.json()["downgrade_policy"] is None
