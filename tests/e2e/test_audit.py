"""The audit log through the running services: history, as-of between two changes, timeline,
change search, export — and erasure, which removes personal data while the changes remain."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from support import eventually
from tenants import Tenant, changes_of

pytestmark = pytest.mark.e2e


async def _as_of(tenant: Tenant, customer: str, at: datetime) -> dict[str, Any]:
    body = await tenant.json(
        "audit", f"/v1/customers/{customer}/statuses/as-of", params={"time": at.isoformat()}
    )
    statuses: dict[str, Any] = body["statuses"]
    return {code: (held or {}).get("status_code") for code, held in statuses.items()}


async def test_history_as_of_timeline_export_and_erasure(tenant: Tenant) -> None:
    await tenant.created("c-audit", first_name="Ann", last_name="Lee", email="ann@example.com")
    await tenant.await_status("c-audit", "relationship", "lead")
    await tenant.booked("c-audit", "r-1", date.today())
    await tenant.await_status("c-audit", "relationship", "client")
    vip = await tenant.call(
        "assignment",
        "PUT",
        "/v1/customers/c-audit/statuses/relationship",
        role="status:agent",
        subject="agent-9",
        json={"status_code": "vip", "reason": "Ann is the mayor's sister"},
    )
    assert vip.status_code == 200, vip.text

    history = await tenant.await_history(
        "c-audit", lambda h: len(changes_of(h, "relationship")) == 3, "three relationship changes"
    )
    relationship = [h for h in history if h["category_code"] == "relationship"]
    assert changes_of(relationship, "relationship") == [
        (None, "lead", "system"),
        ("lead", "client", "automatic"),
        ("client", "vip", "manual"),
    ]
    assert [h["sequence"] for h in relationship] == [1, 2, 3]
    assert (relationship[2]["actor"], relationship[2]["reason"]) == (
        "agent-9",
        "Ann is the mayor's sister",
    )
    newest_first = await tenant.history("c-audit", order="desc", category="relationship")
    assert [h["change_id"] for h in newest_first] == [h["change_id"] for h in relationship][::-1]

    became = [datetime.fromisoformat(h["effective_at"]) for h in relationship]
    assert became[0] < became[1] < became[2]
    between = became[0] + (became[1] - became[0]) / 2
    assert await _as_of(tenant, "c-audit", between) == {
        "relationship": "lead",
        "lifecycle": "active",
    }
    assert (await _as_of(tenant, "c-audit", became[2]))["relationship"] == "vip"

    timeline = await tenant.json("audit", "/v1/customers/c-audit/timeline")
    periods = timeline["categories"]["relationship"]["periods"]
    assert [(p["status_code"], p["current"]) for p in periods] == [
        ("lead", False),
        ("client", False),
        ("vip", True),
    ]
    assert datetime.fromisoformat(periods[0]["left_at"]) == became[1]
    assert timeline["categories"]["relationship"]["missing_sequences"] == []

    manual = await tenant.json(
        "audit", "/v1/changes", params={"category": "relationship", "source": "manual"}
    )
    found = [c["change_id"] for c in manual["items"] if c["customer_id"] == "c-audit"]
    assert found == [relationship[2]["change_id"]]

    export = await tenant.json("audit", "/v1/customers/c-audit/export")
    assert (export["customer_id"], export["erased"]) == ("c-audit", False)
    assert len(export["changes"]) == len(history)
    [profile] = export["profile_events"]
    assert profile["data"]["first_name"] == "Ann"

    await tenant.erased("c-audit")
    erased = await eventually(
        lambda: tenant.json("audit", "/v1/customers/c-audit/export"),
        lambda e: e["erased"] is True,
        "the export to say the customer was erased",
    )
    assert erased["erased_at"]
    assert [c["change_id"] for c in erased["changes"]] == [
        c["change_id"] for c in export["changes"]
    ]
    assert all(c["personal_data_erased"] for c in erased["changes"])
    assert {c["reason"] for c in erased["changes"]} == {None}
    assert {c["actor"] for c in erased["changes"]} == {None}
    assert [p["data"] for p in erased["profile_events"]] == [None]
    assert "Ann" not in str(erased) and "mayor" not in str(erased)
    after = await tenant.history("c-audit")
    assert changes_of(after, "relationship") == changes_of(history, "relationship")
    assert (await _as_of(tenant, "c-audit", between))["relationship"] == "lead"
