"""Restrictions and checks through the running services: what a deleted or suspended customer
may do, with the status that forbids it."""

from __future__ import annotations

from typing import Any

import pytest
from tenants import Tenant

pytestmark = pytest.mark.e2e


async def _set_lifecycle(tenant: Tenant, customer: str, status: str) -> None:
    await tenant.created(customer)
    await tenant.await_status(customer, "lifecycle", "active")
    response = await tenant.call(
        "assignment",
        "PUT",
        f"/v1/customers/{customer}/statuses/lifecycle",
        role="status:agent",
        json={"status_code": status, "reason": "e2e"},
    )
    if response.status_code == 202:  # a seeded deletion takes four eyes (SPEC 1.8)
        ident = response.json()["approval_id"]
        response = await tenant.call(
            "assignment",
            "POST",
            f"/v1/approvals/{ident}/approve",
            role="status:approver",
            subject="approver-1",
            json={},
        )
    assert response.status_code == 200, response.text
    await tenant.await_status(customer, "lifecycle", status)


async def _check(tenant: Tenant, customer: str, action: str) -> dict[str, Any]:
    response = await tenant.call(
        "assignment",
        "POST",
        "/v1/checks",
        role="status:system",
        json={"customer_id": customer, "action": action},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def _reason(status: str, rule: str) -> dict[str, str]:
    return {"category_code": "lifecycle", "status_code": status, "rule": rule}


async def test_checks_and_restrictions_of_deleted_and_suspended_customers(
    tenant: Tenant,
) -> None:
    await _set_lifecycle(tenant, "c-gone", "deleted")
    await _set_lifecycle(tenant, "c-held", "suspended")
    await tenant.created("c-fine")
    await tenant.await_status("c-fine", "lifecycle", "active")

    for action, rule in [
        ("transact", "can_transact"),
        ("redeem", "can_redeem"),
        ("book_online", "can_book_online"),
    ]:
        answer = await _check(tenant, "c-gone", action)
        assert answer["allowed"] is False, (action, answer)
        assert _reason("deleted", rule) in answer["reasons"], (action, answer)

    redeem = await _check(tenant, "c-held", "redeem")
    assert redeem == {
        "allowed": False,
        "must_prepay": False,
        "reasons": [_reason("suspended", "can_redeem")],
        "warnings": [],
    }
    assert (await _check(tenant, "c-held", "transact"))["allowed"] is True
    assert await _check(tenant, "c-fine", "transact") == {
        "allowed": True,
        "must_prepay": False,
        "reasons": [],
        "warnings": [],
    }

    held = await tenant.json("assignment", "/v1/customers/c-held/restrictions")
    assert held["customer_id"] == "c-held"
    assert (held["can_transact"], held["can_redeem"], held["transactions_are_outliers"]) == (
        True,
        False,
        True,
    )
    assert _reason("suspended", "can_redeem") in held["reasons"]
    assert _reason("suspended", "transactions_are_outliers") in held["reasons"]
    gone = await tenant.json("assignment", "/v1/customers/c-gone/restrictions")
    assert (gone["can_transact"], gone["can_book"], gone["exclude_from_reports"]) == (
        False,
        False,
        True,
    )
