"""Guards do not drift with configuration (SPEC §1 v2): a holding keeps the system_state it was
entered with. The review found that archiving or deleting `deleted` made its holders movable and
lifted their denials."""

from __future__ import annotations

from typing import Any

import pytest

from cstatus.contracts.configuration import CategoryConfig, StatusConfig

pytestmark = pytest.mark.integration


def _lifecycle(*, deleted: str | None) -> tuple[CategoryConfig, ...]:
    """`deleted`: "kept", "archived" or None (removed from the configuration)."""

    def status(code: str, state: str, **kw: Any) -> StatusConfig:
        return StatusConfig(
            id=code, code=code, name=code.title(), colour="#336699", system_state=state, **kw
        )

    statuses = [status("active", "active", is_default=True)]
    if deleted is not None:
        statuses.append(status("deleted", "deleted", archived=deleted == "archived"))
    return (
        CategoryConfig(
            id="c1",
            code="lifecycle",
            name="Lifecycle",
            update_mode="automatic",
            manual_override_allowed=True,
            statuses=tuple(statuses),
        ),
    )


async def _put(h: Any, tenant: str, customer: str, status: str) -> Any:
    return await h.client.put(
        f"/v1/customers/{customer}/statuses/lifecycle",
        json={"status_code": status, "reason": "test"},
        headers=h.headers(tenant, "status:agent"),
    )


async def _transact(h: Any, tenant: str, customer: str) -> bool:
    reply = await h.client.post(
        "/v1/checks",
        json={"customer_id": customer, "action": "transact"},
        headers=h.headers(tenant, "status:system"),
    )
    assert reply.status_code == 200, reply.text
    return bool(reply.json()["allowed"])


@pytest.mark.parametrize("later", ["archived", None])
async def test_deleted_stays_terminal_after_the_status_is_archived_or_deleted(
    harness: Any, later: str | None
) -> None:
    h, tenant = harness, harness.tenant()
    await h.configure(tenant, _lifecycle(deleted="kept"), version=1)
    assert (await _put(h, tenant, "c-1", "deleted")).status_code == 200
    assert await _transact(h, tenant, "c-1") is False

    await h.configure(tenant, _lifecycle(deleted=later), version=2)
    refused = await _put(h, tenant, "c-1", "active")
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "terminal"
    assert await _transact(h, tenant, "c-1") is False
