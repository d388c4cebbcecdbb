"""An external category set through the command topic: a valid command applies (source
external); an invalid one is answered on the rejections topic with its reason code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import Output, Platform, eventually
from tenants import Tenant, changes_of

from cstatus.contracts import topics

pytestmark = pytest.mark.e2e


async def _external_category(tenant: Tenant) -> None:
    created = await tenant.call(
        "status-config",
        "POST",
        "/v1/categories",
        json={
            "code": "credit",
            "name": "Credit rating",
            "update_mode": "external",
            "manual_override_allowed": False,
            "reason_required": False,
        },
    )
    assert created.status_code == 201, created.text
    category = created.json()["id"]
    for code, colour, default in [("unrated", "#9E9E9E", True), ("good", "#2E7D32", False)]:
        status = await tenant.call(
            "status-config",
            "POST",
            f"/v1/categories/{category}/statuses",
            json={"code": code, "name": code.title(), "colour": colour, "is_default": default},
        )
        assert status.status_code == 201, status.text
    await tenant.await_config({"credit": "good"})


def _rejection(output: Output) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(output.value or b"")
    return event


def _command_id(ref_id: str) -> str:
    """The command a rejection answers (the service names it `command/<id>`)."""
    return ref_id.removeprefix("command/")


async def test_external_system_sets_a_status_through_the_command_topic(
    tenant: Tenant, platform: Platform
) -> None:
    await _external_category(tenant)
    await tenant.created("c-ext")
    await tenant.await_status("c-ext", "credit", "unrated", source="system")

    await tenant.command_assign("c-ext", "credit", "good", reason="score 812")
    held = await tenant.await_status("c-ext", "credit", "good", source="external")
    assert held["updated_by"] == "crm-sync"

    unknown = await tenant.command_assign("c-ext", "credit", "platinum")
    automatic_only = await tenant.command_assign("c-ext", "relationship", "vip")
    expected = {unknown: "unknown_status", automatic_only: "source_not_allowed"}

    def ours(output: Output) -> bool:
        event = _rejection(output)
        return event["tenant"] == tenant.id and _command_id(event["data"]["ref_id"]) in expected

    found = await platform.outputs.wait(topics.REJECTIONS, ours, "two rejections", count=2)
    rejections = {_command_id(e["data"]["ref_id"]): e for e in map(_rejection, found)}
    assert {ref: e["data"]["reason_code"] for ref, e in rejections.items()} == expected
    assert rejections[unknown]["type"] == "customer_status.rejected"
    assert rejections[unknown]["data"]["status_code"] == "platinum"
    assert rejections[unknown]["subject"] == "c-ext"
    await tenant.await_status("c-ext", "credit", "good")
    await tenant.await_status("c-ext", "relationship", "lead")

    history = await tenant.await_history(
        "c-ext", lambda h: len(changes_of(h, "credit")) == 2, "the external change logged"
    )
    assert changes_of(history, "credit") == [
        (None, "unrated", "system"),
        ("unrated", "good", "external"),
    ]
    change = [h for h in history if h["category_code"] == "credit"][-1]
    assert (change["actor"], change["reason"]) == ("crm-sync", "score 812")
    export = await eventually(
        lambda: tenant.json("audit", "/v1/customers/c-ext/export"),
        lambda e: len(e["rejections"]) == 2,
        "the audit log to keep both rejections",
    )
    assert {_command_id(r["ref_id"]): r["reason_code"] for r in export["rejections"]} == expected
